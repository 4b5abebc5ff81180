//! libFuzzer target: any bytes, read as a request, through the Tencent dialect.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| dialects_fuzz::run(dialects::Dialect::Tencent, data));
