//! doctor's readers: the `.env` parser (compose's syntax), interpolation, and the compose
//! reader (saphyr's event parser driven with a depth limit, merge keys, tags, every form
//! of environment, env_file and volumes), then where each variable's path is found
//! through the service's mounts. Nothing here touches files: env_file paths start from a
//! folder that does not exist.
#![no_main]

use std::path::Path;

use certsmith::deploy::env::{Origin, Target, Variable, Vars, compose, dotenv, interpolate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let lookup = |name: &str| (name == "SET").then(|| "value".to_owned());
    let budget = interpolate::Budget::default();
    let _ = dotenv::parse(text, &lookup, &budget);
    let _ = interpolate::interpolate(text, &lookup, &budget);
    let mut project = Vars::default();
    project.set(Variable { name: "SET".to_owned(), value: "value".to_owned(), origin: Origin::environment() });
    let Ok(parsed) = compose::parse(text, "compose.yaml", Path::new("/nonexistent-certsmith-fuzz"), &project, &budget) else {
        return;
    };
    for service in parsed.services {
        let target = Target {
            name: service.name,
            in_container: true,
            vars: service.vars,
            mounts: service.mounts,
            user: None,
            origin: service.origin,
        };
        for var in target.vars.iter() {
            let _ = target.locate(&var.value);
        }
    }
});
