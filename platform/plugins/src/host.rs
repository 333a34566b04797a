//! One engine for the process; components compiled once (and cached on disk, keyed by their
//! sha256 and the engine's compatibility hash); an `InstancePre` per plugin, linked against the
//! world of the contract version it implements (the newest tried first); a fresh store per call
//! with a memory cap and an epoch deadline; output checked before anyone sees it. Async callers
//! go through a semaphore onto the blocking pool, never onto the async workers.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Linker};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, ResourceLimiter, Store, Trap, UpdateDeadline,
};

use crate::bindings::{Pre, WitVersion, World, types};
use crate::error::PluginError;

/// The limits every plugin runs under.
#[derive(Debug, Clone)]
pub struct HostOptions {
    /// The processor time one call may use: counted on the thread that runs it, so a call
    /// that waits for a core on a busy machine is not charged for the wait.
    pub deadline: Duration,
    /// How long one call may take on the clock, however busy the machine: a call that has not
    /// used its processor time by then is stopped all the same.
    pub wall_limit: Duration,
    /// Linear memory a plugin instance may grow to.
    pub memory_limit: usize,
    /// The largest result, measured as its JSON form.
    pub output_limit: usize,
    /// The largest component accepted.
    pub max_component_size: usize,
    /// How long compiling one component may take.
    pub compile_timeout: Duration,
    /// Plugin calls running at once; more wait in a queue.
    pub max_concurrent_calls: usize,
    /// How long a call may wait for a slot before it is refused as overloaded.
    pub queue_wait: Duration,
    /// Where compiled components are cached; none keeps them in memory only.
    pub cache_dir: Option<PathBuf>,
}

impl Default for HostOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map(usize::from).unwrap_or(2);
        HostOptions {
            deadline: Duration::from_millis(50),
            wall_limit: Duration::from_millis(500),
            memory_limit: 16 << 20,
            output_limit: 1 << 20,
            max_component_size: 8 << 20,
            compile_timeout: Duration::from_secs(60),
            max_concurrent_calls: cores * 2,
            queue_wait: Duration::from_millis(250),
            cache_dir: None,
        }
    }
}

/// Per-store state: only the limiter, which also remembers that a limit was hit.
pub struct Ctx {
    limits: Limits,
}

struct Limits {
    memory: usize,
    hit: Option<u64>,
}

impl ResourceLimiter for Limits {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.memory {
            self.hit = Some(self.memory as u64);
            return Err(wasmtime::Error::msg("memory limit reached"));
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        // Tables hold function references; a plugin needs a few thousand at most.
        if desired > 100_000 {
            self.hit = Some(self.memory as u64);
            return Err(wasmtime::Error::msg("table limit reached"));
        }
        Ok(true)
    }
}

/// A loaded plugin: compiled, linked, and described.
pub struct Plugin {
    pub sha256: String,
    pub framework: types::Description,
    pre: Pre,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("id", &self.framework.id)
            .field("version", &self.framework.version)
            .field("wit_version", &self.wit_version())
            .finish()
    }
}

impl Plugin {
    pub fn id(&self) -> &str {
        &self.framework.id
    }

    pub fn version(&self) -> &str {
        &self.framework.version
    }

    /// The version of the contract the component implements, found when it was loaded.
    pub fn wit_version(&self) -> WitVersion {
        self.pre.version()
    }
}

/// An instance kept between calls, for measuring a warm call; the platform itself never keeps one.
pub struct Instance {
    pub store: Store<Ctx>,
    pub world: World,
}

pub struct PluginHost {
    engine: Engine,
    linker: Linker<Ctx>,
    options: HostOptions,
    slots: Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for PluginHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginHost").field("options", &self.options).finish()
    }
}

/// Epoch ticks per second: the deadline's resolution is one millisecond.
const TICK: Duration = Duration::from_millis(1);

/// The epoch ticks in `d`, at least one.
fn ticks_in(d: Duration) -> u64 {
    u64::try_from(d.as_millis() / TICK.as_millis()).unwrap_or(u64::MAX / 2).max(1)
}

/// What a call that has used `used` of processor time after `waited` on the clock does when its
/// epoch deadline comes: stop, or go on until it could have used the rest of its time.
fn on_epoch(used: Duration, waited: Duration, deadline: Duration, wall_limit: Duration) -> UpdateDeadline {
    if used >= deadline || waited >= wall_limit {
        return UpdateDeadline::Interrupt;
    }
    UpdateDeadline::Continue(ticks_in((deadline - used).min(wall_limit - waited)))
}

/// The processor time the calling thread has used.
fn thread_cpu_time() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(u64::try_from(t.tv_sec).unwrap_or(0), u32::try_from(t.tv_nsec).unwrap_or(0))
}

impl PluginHost {
    pub fn new(options: HostOptions) -> Result<PluginHost, String> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.epoch_interruption(true);
        config.max_wasm_stack(512 << 10);
        let slots = u32::try_from(options.max_concurrent_calls.max(1) * 4).unwrap_or(64).max(16);
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(slots)
            .total_core_instances(slots * 2)
            .total_memories(slots * 2)
            .total_tables(slots * 2)
            .max_memory_size(options.memory_limit)
            // Reset a released instance's first 64 KiB by zeroing rather than returning the pages
            // to the kernel: measured faster for a fresh instance per call (1 MiB was slower).
            .linear_memory_keep_resident(64 << 10)
            .table_keep_resident(64 << 10);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&config).map_err(|e| format!("creating the plugin engine: {e}"))?;

        // One thread moves the epoch on; it stops when the engine is gone.
        let weak = engine.weak();
        std::thread::Builder::new()
            .name("plugin-epoch".into())
            .spawn(move || {
                while let Some(engine) = weak.upgrade() {
                    engine.increment_epoch();
                    drop(engine);
                    std::thread::sleep(TICK);
                }
            })
            .map_err(|e| format!("starting the epoch thread: {e}"))?;

        if let Some(dir) = &options.cache_dir {
            std::fs::create_dir_all(dir).map_err(|e| format!("plugin cache {}: {e}", dir.display()))?;
        }
        let max = options.max_concurrent_calls.max(1);
        Ok(PluginHost {
            linker: Linker::new(&engine),
            engine,
            slots: Arc::new(tokio::sync::Semaphore::new(max)),
            options,
        })
    }

    pub fn options(&self) -> &HostOptions {
        &self.options
    }

    /// Compiles (or takes from the cache), checks imports and exports, and describes a component.
    pub fn load(&self, bytes: &[u8]) -> Result<Plugin, PluginError> {
        if bytes.len() > self.options.max_component_size {
            return Err(PluginError::Incompatible(format!(
                "the component is {} bytes; the limit is {}",
                bytes.len(),
                self.options.max_component_size
            )));
        }
        let sha256 = component_sha256(bytes);
        let component = self.compile_cached(bytes, &sha256)?;
        // The world's own type-only interface (it carries no functions) is the one import a
        // plugin may have.
        let world_types: Vec<String> = WitVersion::ALL.iter().map(|v| v.types_interface()).collect();
        let imports: Vec<String> = component
            .component_type()
            .imports(&self.engine)
            .map(|(name, _)| name.to_string())
            .filter(|name| !world_types.contains(name))
            .collect();
        if !imports.is_empty() {
            return Err(PluginError::Incompatible(format!(
                "it imports {}; a plugin may import nothing (no files, network, clock or randomness)",
                imports.join(", ")
            )));
        }
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| PluginError::Incompatible(format!("it cannot be linked: {e:#}")))?;
        let pre = Pre::new(pre).map_err(PluginError::Incompatible)?;
        let mut plugin = Plugin { sha256, framework: empty_framework(), pre };
        plugin.framework = self.call(&plugin, |w, s| w.call_describe(s))?;
        Ok(plugin)
    }

    fn compile_cached(&self, bytes: &[u8], sha256: &str) -> Result<Component, PluginError> {
        let cached = self.options.cache_dir.as_ref().map(|dir| {
            let mut h = DefaultHasher::new();
            self.engine.precompile_compatibility_hash().hash(&mut h);
            dir.join(format!("{sha256}-{:016x}.cwasm", h.finish()))
        });
        if let Some(path) = &cached
            && path.exists()
        {
            match self.deserialize(path) {
                Ok(c) => return Ok(c),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "discarding an unreadable cached plugin");
                    let _ = std::fs::remove_file(path);
                }
            }
        }
        let component = self.compile(bytes)?;
        if let Some(path) = cached {
            // Written to a temporary name and renamed, so a reader never sees half a file.
            if let Ok(serialized) = component.serialize() {
                let tmp = path.with_extension(format!("tmp{}", std::process::id()));
                if std::fs::write(&tmp, serialized).and_then(|_| std::fs::rename(&tmp, &path)).is_err() {
                    let _ = std::fs::remove_file(&tmp);
                }
            }
        }
        Ok(component)
    }

    #[allow(unsafe_code)]
    fn deserialize(&self, path: &Path) -> wasmtime::Result<Component> {
        // Read into memory rather than mapping the file: a mapped cache file that is replaced
        // or truncated while the process runs would take the process down.
        let bytes = std::fs::read(path)?;
        // SAFETY: the bytes are a file this host serialized itself into its private cache
        // folder, named by the component's sha256 and this engine's compatibility hash, and
        // written whole by rename; wasmtime also checks the header against this engine.
        unsafe { Component::deserialize(&self.engine, &bytes) }
    }

    /// Compiles on a thread of its own, giving up when the compile time limit passes.
    fn compile(&self, bytes: &[u8]) -> Result<Component, PluginError> {
        let (tx, rx) = std::sync::mpsc::channel();
        let engine = self.engine.clone();
        let owned = bytes.to_vec();
        std::thread::Builder::new()
            .name("plugin-compile".into())
            .spawn(move || {
                let _ = tx.send(Component::new(&engine, &owned));
            })
            .map_err(|e| PluginError::Incompatible(format!("cannot start compiling: {e}")))?;
        match rx.recv_timeout(self.options.compile_timeout) {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(e)) => Err(PluginError::Incompatible(format!("not a valid component: {e:#}"))),
            Err(_) => Err(PluginError::Incompatible(format!(
                "compiling took longer than {} s",
                self.options.compile_timeout.as_secs()
            ))),
        }
    }

    fn new_store(&self) -> Store<Ctx> {
        let mut store =
            Store::new(&self.engine, Ctx { limits: Limits { memory: self.options.memory_limit, hit: None } });
        store.limiter(|c| &mut c.limits);
        // The epoch deadline first comes when the deadline has passed on the clock; the call then
        // goes on while its own thread has used less processor time than the deadline and the
        // wall limit has not passed, checked again when what it has left could have run out.
        let (deadline, wall_limit) = (self.options.deadline, self.options.wall_limit.max(self.options.deadline));
        let (cpu_start, wall_start) = (thread_cpu_time(), std::time::Instant::now());
        store.set_epoch_deadline(ticks_in(deadline));
        store.epoch_deadline_callback(move |_| {
            Ok(on_epoch(thread_cpu_time().saturating_sub(cpu_start), wall_start.elapsed(), deadline, wall_limit))
        });
        store
    }

    /// Runs `f` against a fresh instance in a fresh store, under every limit.
    pub fn call<R: Serialize>(
        &self,
        plugin: &Plugin,
        f: impl FnOnce(&World, &mut Store<Ctx>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        let mut store = self.new_store();
        let world = plugin.pre.instantiate(&mut store).map_err(|e| self.failure(&store, e))?;
        let out = f(&world, &mut store).map_err(|e| self.failure(&store, e))?;
        if !fits(&out, self.options.output_limit) {
            return Err(PluginError::BadOutput(format!(
                "the result is larger than the {} byte limit",
                self.options.output_limit
            )));
        }
        Ok(out)
    }

    /// An instance to call again and again (benchmarks only: calls on it share state and have
    /// no deadline).
    pub fn instantiate(&self, plugin: &Plugin) -> Result<Instance, PluginError> {
        let mut store = self.new_store();
        store.set_epoch_deadline(u64::MAX / 2);
        let world = plugin.pre.instantiate(&mut store).map_err(|e| self.failure(&store, e))?;
        Ok(Instance { store, world })
    }

    fn failure(&self, store: &Store<Ctx>, e: wasmtime::Error) -> PluginError {
        if let Some(limit) = store.data().limits.hit {
            return PluginError::MemoryLimit(limit);
        }
        match e.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => PluginError::Timeout(self.options.deadline.as_millis() as u64),
            Some(Trap::StackOverflow) => PluginError::Trap("stack overflow: recursion too deep".into()),
            Some(Trap::UnreachableCodeReached) => {
                PluginError::Trap("the plugin panicked (unreachable code reached)".into())
            }
            Some(trap) => PluginError::Trap(trap.to_string()),
            // Anything else happened while lifting the result: malformed output.
            None => PluginError::BadOutput(format!("{e:#}")),
        }
    }

    /// Runs blocking plugin work on the blocking pool, behind the host's semaphore. A call that
    /// waits longer than the queue allows is refused as overloaded.
    pub async fn run<R, F>(self: &Arc<Self>, work: F) -> Result<R, PluginError>
    where
        R: Send + 'static,
        F: FnOnce(&PluginHost) -> Result<R, PluginError> + Send + 'static,
    {
        let permit = tokio::time::timeout(self.options.queue_wait, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| PluginError::Overloaded)?
            .map_err(|_| PluginError::Overloaded)?;
        let host = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work(&host)
        })
        .await
        .map_err(|e| PluginError::Trap(format!("the plugin call's thread failed: {e}")))?
    }

    pub fn describe(&self, plugin: &Plugin) -> Result<types::Description, PluginError> {
        self.call(plugin, |w, s| w.call_describe(s))
    }

    pub fn classify(
        &self,
        plugin: &Plugin,
        items: Vec<types::Item>,
    ) -> Result<Vec<types::Classification>, PluginError> {
        let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
        let out = refused(self.call(plugin, |w, s| w.call_classify(s, &items))?)?;
        if out.iter().map(|c| &c.item_id).ne(ids.iter()) {
            return Err(PluginError::BadOutput("classify must answer for each item, in order".into()));
        }
        Ok(out)
    }

    pub fn review_schedule(
        &self,
        plugin: &Plugin,
        today: NaiveDate,
        subjects: Vec<types::Subject>,
    ) -> Result<Vec<types::ReviewDue>, PluginError> {
        let out = refused(self.call(plugin, |w, s| w.call_review_schedule(s, &iso(today), &subjects))?)?;
        for (i, r) in out.iter().enumerate() {
            let due = NaiveDate::parse_from_str(&r.due, "%Y-%m-%d")
                .map_err(|_| PluginError::BadOutput(format!("review {i}: due date {:?} is not a date", r.due)))?;
            if !(1990..=2200).contains(&chrono::Datelike::year(&due)) {
                return Err(PluginError::BadOutput(format!("review {i}: due date {} is not plausible", r.due)));
            }
            if !subjects.iter().any(|s| s.id == r.subject_id) {
                return Err(PluginError::BadOutput(format!(
                    "review {i}: {:?} is not one of the subjects",
                    r.subject_id
                )));
            }
            if r.title.trim().is_empty() || r.audience.trim().is_empty() {
                return Err(PluginError::BadOutput(format!("review {i}: a review needs a title and an audience")));
            }
        }
        Ok(out)
    }

    pub fn validate(
        &self,
        plugin: &Plugin,
        today: NaiveDate,
        entities: Vec<types::Entity>,
    ) -> Result<Vec<Vec<types::Finding>>, PluginError> {
        let n = entities.len();
        let out = self.call(plugin, |w, s| w.call_validate(s, &iso(today), &entities))?;
        one_per_input(out, n, "validate")
    }

    pub fn stage_gate(
        &self,
        plugin: &Plugin,
        today: NaiveDate,
        moves: Vec<types::StageMove>,
    ) -> Result<Vec<Vec<types::Finding>>, PluginError> {
        let n = moves.len();
        let out = self.call(plugin, |w, s| w.call_stage_gate(s, &iso(today), &moves))?;
        one_per_input(out, n, "stage-gate")
    }

    pub fn score_self_evaluation(
        &self,
        plugin: &Plugin,
        evaluation: types::SelfEvaluation,
    ) -> Result<types::EvaluationSummary, PluginError> {
        let out = refused(self.call(plugin, |w, s| w.call_score_self_evaluation(s, &evaluation, &plugin.framework))?)?;
        if !out.mean_score.is_finite() || out.results.iter().any(|r| !r.mean.is_finite()) {
            return Err(PluginError::BadOutput("a mean score is not a number".into()));
        }
        Ok(out)
    }

    pub fn band(
        &self,
        plugin: &Plugin,
        by: types::Dimension,
        counts: Vec<types::Count>,
    ) -> Result<Vec<types::Banded>, PluginError> {
        let out = refused(self.call(plugin, |w, s| w.call_band(s, by, &counts))?)?;
        if out.iter().any(|b| !b.value.is_finite()) {
            return Err(PluginError::BadOutput("a banded value is not a number".into()));
        }
        Ok(out)
    }

    /// Calls a function by its WIT name with a JSON object of its parameters, and returns the
    /// JSON form of the result. Used by `platform plugin call` and the conformance suite.
    pub fn call_json(
        &self,
        plugin: &Plugin,
        function: &str,
        input: &serde_json::Value,
    ) -> Result<serde_json::Value, PluginError> {
        fn arg<T: serde::de::DeserializeOwned>(input: &serde_json::Value, name: &str) -> Result<T, PluginError> {
            let value = input
                .get(name)
                .cloned()
                .ok_or_else(|| PluginError::InvalidInput(format!("input: missing {name:?}")))?;
            serde_json::from_value(value).map_err(|e| PluginError::InvalidInput(format!("input: {name}: {e}")))
        }
        fn today(input: &serde_json::Value) -> Result<NaiveDate, PluginError> {
            let text: String = arg(input, "today")?;
            NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .map_err(|_| PluginError::InvalidInput(format!("input: today: {text:?} is not a date (YYYY-MM-DD)")))
        }
        let json =
            |v: Result<serde_json::Value, serde_json::Error>| v.map_err(|e| PluginError::BadOutput(e.to_string()));
        match function {
            "describe" => json(serde_json::to_value(self.describe(plugin)?)),
            "classify" => json(serde_json::to_value(self.classify(plugin, arg(input, "items")?)?)),
            "review-schedule" => {
                json(serde_json::to_value(self.review_schedule(plugin, today(input)?, arg(input, "subjects")?)?))
            }
            "validate" => json(serde_json::to_value(self.validate(plugin, today(input)?, arg(input, "entities")?)?)),
            "stage-gate" => json(serde_json::to_value(self.stage_gate(plugin, today(input)?, arg(input, "moves")?)?)),
            "score-self-evaluation" => {
                json(serde_json::to_value(self.score_self_evaluation(plugin, arg(input, "evaluation")?)?))
            }
            "band" => json(serde_json::to_value(self.band(plugin, arg(input, "by")?, arg(input, "counts")?)?)),
            other => Err(PluginError::InvalidInput(format!(
                "no function {other:?}; the functions are describe, classify, review-schedule, validate, stage-gate, score-self-evaluation, band"
            ))),
        }
    }
}

/// Whether the JSON form of `value` fits in `limit` bytes. Counting stops at the limit, so an
/// oversized result costs no more to reject than a result of the limit's size.
fn fits<T: Serialize>(value: &T, limit: usize) -> bool {
    struct Counter {
        left: usize,
    }
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.left = self.left.checked_sub(buf.len()).ok_or_else(|| std::io::Error::other("over the limit"))?;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    serde_json::to_writer(Counter { left: limit }, value).is_ok()
}

fn refused<T>(r: Result<T, String>) -> Result<T, PluginError> {
    r.map_err(PluginError::InvalidInput)
}

fn one_per_input<T>(out: Vec<T>, n: usize, function: &str) -> Result<Vec<T>, PluginError> {
    if out.len() == n {
        Ok(out)
    } else {
        Err(PluginError::BadOutput(format!("{function} returned {} answers for {n} inputs", out.len())))
    }
}

/// The sha256 a component is registered and cached under, in hex.
pub fn component_sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn empty_framework() -> types::Description {
    types::Description {
        id: String::new(),
        name: String::new(),
        version: String::new(),
        source: String::new(),
        stages: vec![],
        levels: vec![],
        levels_of_need: vec![],
        age_bands: vec![],
        areas: vec![],
        bodies: vec![],
        standards_sets: vec![],
        calendar: vec![],
        notes: vec![],
        attribute_definitions: vec![],
        rules: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(id: &str) -> &'static [u8] {
        plugin_artifacts::FRAMEWORKS
            .iter()
            .chain(plugin_artifacts::TEST_PROGRAMS)
            .find(|a| a.id == id)
            .map(|a| a.bytes)
            .unwrap()
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn continues(u: UpdateDeadline) -> Option<u64> {
        match u {
            UpdateDeadline::Continue(ticks) => Some(ticks),
            _ => None,
        }
    }

    #[test]
    fn a_call_is_charged_its_own_processor_time_not_the_wait_for_a_core() {
        // 50 ms on the clock but 10 ms of processor time (it waited for a core): it goes on,
        // for at most the 40 ms it has left.
        assert_eq!(continues(on_epoch(ms(10), ms(50), ms(50), ms(500))), Some(40));
        // Near the wall limit, only until the limit.
        assert_eq!(continues(on_epoch(ms(10), ms(490), ms(50), ms(500))), Some(10));
        // Its processor time used up: stopped, however little time passed on the clock.
        assert!(continues(on_epoch(ms(50), ms(50), ms(50), ms(500))).is_none());
        // The wall limit passed: stopped, however little processor time it used.
        assert!(continues(on_epoch(ms(1), ms(500), ms(50), ms(500))).is_none());
        // Less than a tick left still waits a tick.
        assert_eq!(continues(on_epoch(Duration::from_micros(49_900), ms(50), ms(50), ms(500))), Some(1));
    }

    #[test]
    fn the_thread_clock_counts_work_and_not_sleep() {
        let start = thread_cpu_time();
        std::thread::sleep(ms(30));
        assert!(thread_cpu_time() - start < ms(10), "sleeping is not charged");
        let start = thread_cpu_time();
        let mut x = 0u64;
        while thread_cpu_time() - start < ms(20) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        assert!(x > 0);
    }

    #[test]
    fn the_baseline_loads_and_describes_itself() {
        let host = PluginHost::new(HostOptions::default()).unwrap();
        let p = host.load(artifact("national-baseline")).unwrap();
        assert_eq!(p.id(), "national-baseline");
        assert_eq!(p.framework.stages.len(), 9);
    }

    #[test]
    fn the_compiled_component_is_cached_on_disk_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let options = HostOptions { cache_dir: Some(dir.path().to_path_buf()), ..HostOptions::default() };
        let host = PluginHost::new(options.clone()).unwrap();
        let first = host.load(artifact("national-baseline")).unwrap();
        let cached: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(cached.len(), 1);
        assert!(cached[0].to_string_lossy().starts_with(&first.sha256));
        // A second host (a restart) loads from the cache and behaves the same.
        let again = PluginHost::new(options).unwrap().load(artifact("national-baseline")).unwrap();
        assert_eq!(again.framework, first.framework);
        // A corrupt cache file is discarded and the component recompiled.
        let path = dir.path().join(&cached[0]);
        std::fs::write(&path, b"not a compiled component").unwrap();
        let host = PluginHost::new(HostOptions { cache_dir: Some(dir.path().to_path_buf()), ..HostOptions::default() })
            .unwrap();
        assert_eq!(host.load(artifact("national-baseline")).unwrap().framework, first.framework);
    }

    fn score(standard: &str, score: u8, rater: Option<&str>) -> types::Score {
        types::Score { standard_id: standard.into(), score, evidence: "Minutes".into(), rater: rater.map(Into::into) }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    #[test]
    fn a_plugin_of_the_first_contract_answers_every_function_in_the_newest_types() {
        let host = PluginHost::new(HostOptions::default()).unwrap();
        let p = host.load(artifact("legacy-v1-0")).unwrap();
        assert_eq!(p.wit_version(), WitVersion::V1_0);
        assert_eq!((p.id(), p.version()), ("legacy-v1-0", "1.0.0"));
        // 1.0.0 has no fields and no rules table.
        assert_eq!(p.framework.stages.len(), 4);
        assert!(p.framework.attribute_definitions.is_empty() && p.framework.rules.is_empty());
        assert_eq!(host.describe(&p).unwrap(), p.framework);

        let item = |id: &str, tier: &str| types::Item {
            id: id.into(),
            kind: "service".into(),
            tier: Some(tier.into()),
            level_of_need: None,
            area: None,
            attributes: vec![],
        };
        let c = host.classify(&p, vec![item("a", "specialist"), item("b", "universal")]).unwrap();
        assert_eq!((c[0].body.as_str(), c[1].body.as_str()), ("board", "group"));

        let subject = types::Subject {
            id: "contract-1".into(),
            kind: "contract".into(),
            title: "Family support".into(),
            contract_kind: Some("block".into()),
            tier: None,
            start: "2025-04-01".into(),
            end: Some("2028-03-31".into()),
            value_pence: 1,
            attributes: vec![],
        };
        let reviews = host.review_schedule(&p, today(), vec![subject]).unwrap();
        let dues: Vec<&str> = reviews.iter().map(|r| r.due.as_str()).collect();
        assert_eq!(dues, ["2026-04-01", "2027-04-01", "2027-09-30"]);

        let contract = types::Entity {
            id: "c".into(),
            kind: "contract".into(),
            attributes: vec![
                types::Attribute { key: "start".into(), value: "2026-04-01".into() },
                types::Attribute { key: "end".into(), value: "2025-04-01".into() },
            ],
        };
        let findings = host.validate(&p, today(), vec![contract]).unwrap();
        assert_eq!(findings[0][0].code, "ends-before-start");
        assert_eq!(findings[0][0].severity, types::Severity::Error);

        let moves = vec![types::StageMove {
            project_id: "p".into(),
            from_stage: Some("assess".into()),
            to_stage: "commission".into(),
            attributes: vec![],
        }];
        assert_eq!(host.stage_gate(&p, today(), moves).unwrap()[0][0].code, "skips-a-stage");

        let banded =
            host.band(&p, types::Dimension::Age, vec![types::Count { age: Some(12), area: None, value: 2.0 }]).unwrap();
        assert_eq!(banded[1], types::Banded { band_id: "11-17".into(), value: 2.0 });

        // A summary comes up whole: its band, whether every standard was rated, each spread.
        let evaluation = |scores| types::SelfEvaluation { standards_set_id: "practice".into(), scores };
        let all = evaluation(vec![
            score("needs", 2, Some("Partnership")),
            score("voice", 3, None),
            score("outcomes", 4, None),
        ]);
        let s = host.score_self_evaluation(&p, all).unwrap();
        assert_eq!((s.band_id.as_deref(), s.complete, s.capped_by.as_deref()), (Some("good"), true, None));
        assert_eq!(s.weakest, ["needs"]);
        let r = &s.results[0];
        assert_eq!((r.standard_id.as_str(), r.ratings, r.lowest, r.highest, r.mean), ("needs", 1, 2, 2, 2.0));
        let partial = host.score_self_evaluation(&p, evaluation(vec![score("voice", 3, None)])).unwrap();
        assert_eq!((partial.band_id.as_deref(), partial.complete), (Some("good"), false));
        // Two groups rating one standard cannot be combined by a 1.0.0 plugin: refused, not dropped.
        let twice = evaluation(vec![score("needs", 2, Some("Partnership")), score("needs", 4, Some("Survey"))]);
        match host.score_self_evaluation(&p, twice) {
            Err(PluginError::InvalidInput(m)) => {
                assert!(m.contains("\"needs\" is rated more than once") && m.contains("1.0.0"), "{m}")
            }
            other => panic!("{other:?}"),
        }
        // The JSON form the CLI and API use is the newest one.
        let out = host
            .call_json(
                &p,
                "score-self-evaluation",
                &serde_json::json!({"evaluation": {"standards_set_id": "practice", "scores": [
                    {"standard_id": "needs", "score": 1, "evidence": "", "rater": null}
                ]}}),
            )
            .unwrap();
        assert_eq!(out["band_id"], "weak");
        assert_eq!(out["complete"], false);
        assert_eq!(out["results"][0]["ratings"], 1);
    }

    #[test]
    fn a_plugin_of_the_newest_contract_brings_its_fields_rules_and_combined_ratings() {
        let host = PluginHost::new(HostOptions::default()).unwrap();
        let p = host.load(artifact("national-baseline")).unwrap();
        assert_eq!(p.wit_version(), WitVersion::NEWEST);
        assert_eq!(crate::WIT_VERSION, "1.1.0");
        let f = &p.framework;
        assert!(
            f.attribute_definitions.iter().any(|d| d.entity_kind == "provider" && d.key == "safeguarding_evidence"),
            "{:?}",
            f.attribute_definitions
        );
        assert!(f.rules.iter().any(|r| r.inferred) && f.rules.iter().any(|r| !r.inferred), "{:?}", f.rules);
        assert!(f.rules.iter().all(|r| !r.source.is_empty()));
        let set = &f.standards_sets[0];
        let mut scores: Vec<types::Score> = set.standards.iter().map(|st| score(&st.id, 3, None)).collect();
        scores[0].rater = Some("Partnership".into());
        scores.push(score(&set.standards[0].id, 1, Some("Survey")));
        let s =
            host.score_self_evaluation(&p, types::SelfEvaluation { standards_set_id: set.id.clone(), scores }).unwrap();
        let first = s.results.iter().find(|r| r.standard_id == set.standards[0].id).unwrap();
        assert_eq!((first.ratings, first.lowest, first.highest), (2, 1, 3));
        assert!(s.complete);
    }

    #[test]
    fn a_component_of_no_version_the_host_speaks_is_named_incompatible() {
        // A component that exports nothing matches no world: the error says what it lacks.
        let empty = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
        match PluginHost::new(HostOptions::default()).unwrap().load(&empty) {
            Err(PluginError::Incompatible(m)) => {
                assert!(
                    m.contains("no version of commissioning:framework") && m.contains("1.1.0") && m.contains("1.0.0"),
                    "{m}"
                )
            }
            other => panic!("{other:?}"),
        }
    }
}
