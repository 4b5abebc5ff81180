use aws_sdk_dynamodb::types::{AttributeValue as AV, KeysAndAttributes, Put, TransactWriteItem, Update};
use std::time::Instant;
#[tokio::main]
async fn main() {
    let store = store::Store::from_env("bench").await;
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await;
    let c = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&conf)
            .endpoint_url(std::env::var("DYNAMODB_ENDPOINT").unwrap())
            .build(),
    );
    let t = "bench";
    let n = 300;
    macro_rules! time {
        ($label:expr, $body:expr) => {{
            let s = Instant::now();
            let mut errs = 0;
            let mut last = String::new();
            for i in 0..n {
                if let Err(e) = $body(i).await {
                    errs += 1;
                    last = format!("{:?}", e).chars().take(300).collect();
                }
            }
            println!(
                "{:<40} {:>7.3} ms errors {} {}",
                $label,
                s.elapsed().as_secs_f64() * 1000.0 / n as f64,
                errs,
                last
            );
        }};
    }
    store.ensure_table().await.unwrap();
    time!("get credential", |_i| c
        .get_item()
        .table_name(t)
        .key("pk", AV::S("CRED#LTAIbench000000000001".into()))
        .consistent_read(true)
        .send());
    time!("get disk", |i| c
        .get_item()
        .table_name(t)
        .key("pk", AV::S(format!("DISK#d-bench-{}", i % 200)))
        .consistent_read(true)
        .send());
    time!("batch get 3", |i| c
        .batch_get_item()
        .request_items(
            t,
            KeysAndAttributes::builder()
                .consistent_read(true)
                .keys([("pk".to_string(), AV::S("CRED#LTAIbench000000000001".into()))].into())
                .keys([("pk".to_string(), AV::S(format!("DISK#d-bench-{}", i % 200)))].into())
                .keys([("pk".to_string(), AV::S("INSTANCE#i-bench".into()))].into())
                .build()
                .unwrap()
        )
        .send());
    time!("put nonce (no index attr)", |i| c
        .put_item()
        .table_name(t)
        .item("pk", AV::S(format!("NONCE#x#{}-{}", i, uuid::Uuid::new_v4())))
        .item("expires_at", AV::N("99999999999".into()))
        .condition_expression("attribute_not_exists(pk)")
        .send());
    time!("put token (acct: by_account index)", |i| c
        .put_item()
        .table_name(t)
        .item("pk", AV::S(format!("TOKEN#x#{}-{}", i, uuid::Uuid::new_v4())))
        .item("acct", AV::S("acct-x".into()))
        .item("expires_at", AV::N("99999999999".into()))
        .condition_expression("attribute_not_exists(pk)")
        .send());
    let big = |i: usize, idx: bool| {
        let mut p = Put::builder()
            .table_name(t)
            .item("pk", AV::S(format!("SNAP#{}-{}", i, uuid::Uuid::new_v4())))
            .item("x", AV::S("y".repeat(300)))
            .condition_expression("attribute_not_exists(pk)");
        if idx {
            p = p.item("acct", AV::S("acct-y".into())).item("disk_id", AV::S("dz".into()));
        }
        p.build().unwrap()
    };
    let upd = |i: usize| {
        Update::builder()
            .table_name(t)
            .key("pk", AV::S(format!("DISK#d-bench-{}", i % 200)))
            .update_expression("SET z = if_not_exists(z, :zero) + :one")
            .expression_attribute_values(":zero", AV::N("0".into()))
            .expression_attribute_values(":one", AV::N("1".into()))
            .build()
            .unwrap()
    };
    time!("put snapshot-like, 2 index attrs", |i| c
        .put_item()
        .table_name(t)
        .set_item(Some(big(i, true).item().clone()))
        .send());
    time!("put snapshot-like, no index attrs", |i| c
        .put_item()
        .table_name(t)
        .set_item(Some(big(i, false).item().clone()))
        .send());
    time!("txn put(idx)+update", |i| c
        .transact_write_items()
        .transact_items(TransactWriteItem::builder().put(big(i, true)).build())
        .transact_items(TransactWriteItem::builder().update(upd(i)).build())
        .send());
    time!("txn put(noidx)+update", |i| c
        .transact_write_items()
        .transact_items(TransactWriteItem::builder().put(big(i, false)).build())
        .transact_items(TransactWriteItem::builder().update(upd(i)).build())
        .send());
    time!("txn put(idx)+update+update(token)", |i| {
        let tok = format!("TOKEN#t#{}", uuid::Uuid::new_v4());
        c.transact_write_items()
            .transact_items(TransactWriteItem::builder().put(big(i, true)).build())
            .transact_items(TransactWriteItem::builder().update(upd(i)).build())
            .transact_items(
                TransactWriteItem::builder()
                    .update(
                        Update::builder()
                            .table_name(t)
                            .key("pk", AV::S(tok))
                            .update_expression("SET st = :s")
                            .expression_attribute_values(":s", AV::S("C".into()))
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
    });
    time!("txn put(idx)+update+put(token,acct)", |i| {
        let tok = format!("TOKEN#t#{}", uuid::Uuid::new_v4());
        c.transact_write_items()
            .transact_items(TransactWriteItem::builder().put(big(i, true)).build())
            .transact_items(TransactWriteItem::builder().update(upd(i)).build())
            .transact_items(
                TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name(t)
                            .item("pk", AV::S(tok))
                            .item("acct", AV::S("a".into()))
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
    });
    time!("update disk alone", |i| c
        .update_item()
        .table_name(t)
        .key("pk", AV::S(format!("DISK#d-bench-{}", i % 200)))
        .update_expression("SET z = if_not_exists(z, :zero) + :one")
        .expression_attribute_values(":zero", AV::N("0".into()))
        .expression_attribute_values(":one", AV::N("1".into()))
        .send());
}
