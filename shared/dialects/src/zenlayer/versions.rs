//! The services and API versions served on `/api/v2/<service>`, and the actions each version
//! has. The SDKs name the version only in `x-zc-version`: the path and `x-zc-service` are the
//! same for every version of a service. Two versions of ZEC are served over one domain: a
//! snapshot made through one is the same snapshot through the other.

use super::ZenlayerAction;
use crate::actions::Action as _;
use domain::{DomainError, DomainResult};

/// ZEC 2025-09-01: images and snapshots.
pub const ZEC_2025: &str = "2025-09-01";
/// ZEC 2024-04-01: the version Zenlayer's Terraform provider sends its snapshot calls in.
pub const ZEC_2024: &str = "2024-04-01";
/// ZRM (resource tags) 2025-10-14.
pub const ZRM: &str = "2025-10-14";
/// User (resource groups) 2024-05-29.
pub const USER: &str = "2024-05-29";

/// The service an action belongs to and the versions of it that have the action (each row of
/// the action table, `super::actions`, names one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Api {
    pub service: &'static str,
    /// The service's name as the provider writes it (`ZEC`).
    pub title: &'static str,
    pub versions: &'static [&'static str],
}

impl Api {
    fn has(self, service: &str, version: &str) -> bool {
        self.service == service && self.versions.contains(&version)
    }
}

/// One version of one service, and the actions of it served here, as the action table gives
/// them. Each version's SDK client has more actions than these (instances, networks); those are
/// not served, and answer as unknown actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub service: &'static str,
    /// The service's name as the provider writes it (`ZEC`).
    pub title: &'static str,
    pub version: &'static str,
    pub actions: Vec<ZenlayerAction>,
}

/// Every service version served, in the order the table first names them.
pub fn served() -> Vec<Served> {
    let mut all: Vec<Served> = Vec::new();
    for action in ZenlayerAction::ALL {
        let api = action.api();
        for version in api.versions {
            match all.iter_mut().find(|s| s.service == api.service && s.version == *version) {
                Some(s) => s.actions.push(*action),
                None => all.push(Served {
                    service: api.service,
                    title: api.title,
                    version,
                    actions: vec![*action],
                }),
            }
        }
    }
    all
}

/// Whether `action` may be called on `service` in `version`: an unknown service, or an action
/// the version does not have, is an unknown action; a version the service does not have is
/// refused as such; no version at all is a missing parameter.
pub fn admit(service: &str, version: Option<&str>, action: ZenlayerAction) -> DomainResult<()> {
    let wire = action.wire();
    let apis = ZenlayerAction::ALL.iter().map(|a| a.api());
    if !apis.clone().any(|api| api.service == service) {
        return Err(DomainError::UnknownAction(format!("{wire} ({service})")));
    }
    let Some(version) = version else { return Err(DomainError::missing("x-zc-version")) };
    if !apis.clone().any(|api| api.has(service, version)) {
        return Err(DomainError::UnsupportedVersion(version.to_string()));
    }
    if action.api().has(service, version) {
        Ok(())
    } else {
        Err(DomainError::UnknownAction(format!("{wire} ({service} {version})")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ZenlayerAction as A;

    #[test]
    fn each_version_has_its_actions() {
        assert!(admit("zec", Some(ZEC_2025), A::DeleteImages).is_ok());
        assert!(admit("zec", Some(ZEC_2024), A::DeleteSnapshots).is_ok());
        assert!(matches!(admit("zec", Some(ZEC_2024), A::DeleteImages), Err(DomainError::UnknownAction(_))));
        assert!(matches!(admit("zec", Some(ZEC_2024), A::CreateImage), Err(DomainError::UnknownAction(_))));
        assert!(matches!(
            admit("zec", Some("1999-01-01"), A::CreateImage),
            Err(DomainError::UnsupportedVersion(_))
        ));
        assert_eq!(admit("zec", None, A::CreateImage), Err(DomainError::missing("x-zc-version")));
        assert!(matches!(admit("vm", Some(ZEC_2025), A::CreateImage), Err(DomainError::UnknownAction(_))));
        assert!(matches!(admit("zrm", Some(ZRM), A::CreateImage), Err(DomainError::UnknownAction(_))));
        assert!(admit("user", Some(USER), A::AddResourceResourceGroup).is_ok());
    }
}
