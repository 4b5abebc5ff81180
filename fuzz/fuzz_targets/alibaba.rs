//! libFuzzer target: any bytes, read as a request, through the Alibaba dialect.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| dialects_fuzz::run(dialects::Dialect::Alibaba, data));
