//! The services and API versions served on `/api/v2/<service>`, and the actions each version
//! has. The SDKs name the version only in `x-zc-version`: the path and `x-zc-service` are the
//! same for every version of a service. Two versions of ZEC are served over one domain: a
//! snapshot made through one is the same snapshot through the other.

use domain::{DomainError, DomainResult};

/// ZEC 2025-09-01: images and snapshots.
pub const ZEC_2025: &str = "2025-09-01";
/// ZEC 2024-04-01: the version Zenlayer's Terraform provider sends its snapshot calls in.
pub const ZEC_2024: &str = "2024-04-01";
/// ZRM (resource tags) 2025-10-14.
pub const ZRM: &str = "2025-10-14";
/// User (resource groups) 2024-05-29.
pub const USER: &str = "2024-05-29";

/// One version of one service, and the actions of it served here.
pub struct Api {
    pub service: &'static str,
    pub version: &'static str,
    pub actions: &'static [&'static str],
}

/// Every service version served. Each version's SDK client has more actions than these (instances,
/// networks); those are not served, and answer as unknown actions.
pub const APIS: &[Api] = &[
    Api {
        service: "zec",
        version: ZEC_2025,
        actions: &[
            "CreateImage",
            "DescribeImages",
            "DescribeCustomImages",
            "ModifyImagesAttributes",
            "DeleteImages",
            "CreateSnapshot",
            "DescribeSnapshots",
            "ModifySnapshotsAttribute",
            "DeleteSnapshots",
        ],
    },
    Api {
        service: "zec",
        version: ZEC_2024,
        actions: &[
            "DescribeImages",
            "CreateSnapshot",
            "DescribeSnapshots",
            "ModifySnapshotsAttribute",
            "DeleteSnapshots",
        ],
    },
    Api { service: "zrm", version: ZRM, actions: &["ModifyResourceTags"] },
    Api { service: "user", version: USER, actions: &["AddResourceResourceGroup"] },
];

/// Whether `action` may be called on `service` in `version`: an unknown service, or an action
/// the version does not have, is an unknown action; a version the service does not have is
/// refused as such; no version at all is a missing parameter.
pub fn admit(service: &str, version: Option<&str>, action: &str) -> DomainResult<()> {
    let unknown = || DomainError::UnknownAction(format!("{action} ({service})"));
    let versions: Vec<&Api> = APIS.iter().filter(|api| api.service == service).collect();
    if versions.is_empty() {
        return Err(unknown());
    }
    let Some(version) = version else { return Err(DomainError::missing("x-zc-version")) };
    let api = versions
        .iter()
        .find(|api| api.version == version)
        .ok_or_else(|| DomainError::UnsupportedVersion(version.to_string()))?;
    if api.actions.contains(&action) {
        Ok(())
    } else {
        Err(DomainError::UnknownAction(format!("{action} ({service} {version})")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_version_has_its_actions() {
        assert!(admit("zec", Some(ZEC_2025), "DeleteImages").is_ok());
        assert!(admit("zec", Some(ZEC_2024), "DeleteSnapshots").is_ok());
        assert!(matches!(admit("zec", Some(ZEC_2024), "DeleteImages"), Err(DomainError::UnknownAction(_))));
        assert!(matches!(admit("zec", Some(ZEC_2024), "CreateImage"), Err(DomainError::UnknownAction(_))));
        assert!(matches!(
            admit("zec", Some("1999-01-01"), "CreateImage"),
            Err(DomainError::UnsupportedVersion(_))
        ));
        assert_eq!(admit("zec", None, "CreateImage"), Err(DomainError::missing("x-zc-version")));
        assert!(matches!(admit("vm", Some(ZEC_2025), "CreateImage"), Err(DomainError::UnknownAction(_))));
        assert!(matches!(admit("zrm", Some(ZRM), "CreateImage"), Err(DomainError::UnknownAction(_))));
        assert!(admit("user", Some(USER), "AddResourceResourceGroup").is_ok());
    }
}
