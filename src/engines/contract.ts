import type { EngineType } from '../core/domain/index.js';
import type { EngineMetricNames, ReadinessProbe } from './types.js';

/**
 * An engine's command-line and environment contract: what the pinned release accepts, and what Nebula
 * manages or refuses. `engine_config.extra_args` and `engine_config.env` come from API callers and reach a
 * process launch on a node, so they are checked against this (DESIGN §11 "Engines per node"): by the
 * server before anything is stored, and again by the node right before it spawns.
 */

/** How many values a flag takes: 0 a switch, 1 or 2 values, '+' one or more (argparse nargs='+'), '?' zero or one. */
export type FlagArity = 0 | 1 | 2 | '+' | '?';

/** One flag the engine release accepts, with every spelling (long names and short aliases). */
export interface FlagSpec {
  names: readonly string[];
  values: FlagArity;
  /** llama.cpp: the environment variable that sets the same option (LLAMA_ARG_...). */
  env?: string;
}

/** Why a flag or variable is not for callers. `managed`: Nebula sets it; `denied`: unsafe on a node. */
export interface Refusal {
  kind: 'managed' | 'denied';
  /** Completes "--host is ...": e.g. "managed by Nebula (the node's address)". */
  reason: string;
}

/** How the engine parses its argv, which decides what counts as the same flag. */
export interface ArgvDialect {
  /** `--flag=value` is one flag with its value (argparse, commander); llama.cpp has no such form. */
  equalsForm: boolean;
  /** `-qawq` is `-q awq` for a known two-character short flag taking a value (argparse). */
  attachedShortValue: boolean;
  /** `--max_model_len` is read as `--max-model-len` (vLLM's parser, llama.cpp). */
  underscoresAsDashes: boolean;
  /** The parser resolves unambiguous prefixes (`--ho` -> `--host`): argparse's allow_abbrev. */
  prefixAbbreviations: boolean;
}

/** Environment rules, checked in order: managed, denied, then allowed patterns; anything else is refused. */
export interface EnvPolicy {
  managed: Readonly<Record<string, string>>;
  denied: readonly { pattern: RegExp; reason: string }[];
  allowed: readonly RegExp[];
}

/** The whole contract of one engine adapter. */
export interface EngineContract {
  engine: EngineType;
  /** The engine release the flag list was taken from, e.g. "vLLM v0.11.0". */
  release: string;
  /** Where the flag list comes from and how it was obtained (transcribed, generated). */
  source: string;
  dialect: ArgvDialect;
  flags: readonly FlagSpec[];
  /** By any spelling of the flag: why callers may not set it. */
  refused: Readonly<Record<string, Refusal>>;
  env: EnvPolicy;
  readiness: ReadinessProbe;
  metricNames: EngineMetricNames;
}

/** One reason a piece of engine_config is refused; `path` names the field (`engine_config.extra_args[2]`). */
export interface ContractIssue {
  path: string;
  message: string;
}

/**
 * Compact flag tables: one flag per line, `names... [env=VAR] arity` (`--tensor-parallel-size -tp 1`);
 * `#` starts a comment.
 */
export function flagTable(text: string): FlagSpec[] {
  const out: FlagSpec[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const all = line.split(/\s+/);
    const env = all.find((t) => t.startsWith('env='))?.slice(4);
    const parts = all.filter((t) => !t.startsWith('env='));
    const last = parts[parts.length - 1] ?? '';
    const arity: FlagArity | undefined =
      last === '0' || last === '1' || last === '2'
        ? (Number(last) as 0 | 1 | 2)
        : last === '+' || last === '?'
          ? last
          : undefined;
    if (arity === undefined || parts.length < 2) throw new Error(`flag table line without arity: "${line}"`);
    const names = parts.slice(0, -1);
    out.push(env === undefined ? { names, values: arity } : { names, values: arity, env });
  }
  return out;
}

/** argparse.BooleanOptionalAction: each switch also exists as `--no-<name>`. */
export function withNegations(flags: readonly FlagSpec[]): FlagSpec[] {
  return flags.flatMap((f) => {
    const long = f.names.find((n) => n.startsWith('--'));
    if (f.values !== 0 || !long || long.startsWith('--no-')) return [f];
    // One spec for both spellings, so refusing `--x` refuses `--no-x` too.
    return [{ ...f, names: [...f.names, `--no-${long.slice(2)}`] }];
  });
}

/** The placeholder every API view shows instead of an env value; sending it back keeps the stored value. */
export const MASKED_ENV_VALUE = '••••••';

/** Names whose values are credentials (HF_TOKEN, WANDB_API_KEY, ...): write-only for everyone. */
export function isSecretEnvName(name: string): boolean {
  return /TOKEN|SECRET|PASSW|KEY|CREDENTIAL|AUTH|PRIVATE|SIGNATURE|COOKIE|SESSION/i.test(name);
}

/**
 * Env as a caller may see it: names always; values of secret names never; with `all`, no value at all
 * (viewers). Masked values read as MASKED_ENV_VALUE.
 */
export function maskEnv(env: Readonly<Record<string, string>>, all = true): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, all || isSecretEnvName(k) ? MASKED_ENV_VALUE : v]),
  );
}

/**
 * Puts stored values back where an update sent the placeholder. Returns the env to store and the names
 * that carried the placeholder without a stored value (the caller refuses those).
 */
export function unmaskEnv(
  next: Readonly<Record<string, string>>,
  stored: Readonly<Record<string, string>> | undefined,
): { env: Record<string, string>; missing: string[] } {
  const env: Record<string, string> = {};
  const missing: string[] = [];
  for (const [k, v] of Object.entries(next)) {
    if (v !== MASKED_ENV_VALUE) env[k] = v;
    else if (stored?.[k] !== undefined) env[k] = stored[k];
    else missing.push(k);
  }
  return { env, missing };
}

const NUMBER = /^-\d+(\.\d+)?(e-?\d+)?$/i;

/** Whether a token would be read as a flag (argparse reads negative numbers as values). */
function looksLikeFlag(token: string): boolean {
  return token.startsWith('-') && token !== '-' && !NUMBER.test(token);
}

interface Lookup {
  byName: Map<string, FlagSpec>;
  byEnv: Map<string, FlagSpec>;
  refusalOf: (spec: FlagSpec) => Refusal | undefined;
}

const lookups = new WeakMap<EngineContract, Lookup>();

function lookup(contract: EngineContract): Lookup {
  let l = lookups.get(contract);
  if (!l) {
    const byName = new Map<string, FlagSpec>();
    const byEnv = new Map<string, FlagSpec>();
    for (const f of contract.flags) {
      for (const n of f.names) byName.set(n, f);
      if (f.env) {
        byEnv.set(f.env, f);
        // llama.cpp reads LLAMA_ARG_NO_<X> for switches with a --no- form.
        if (f.values === 0 && f.names.some((n) => n.startsWith('--no-')))
          byEnv.set(f.env.replace(/^LLAMA_ARG_/, 'LLAMA_ARG_NO_'), f);
      }
    }
    l = {
      byName,
      byEnv,
      refusalOf: (spec) => {
        for (const n of spec.names) {
          const r = contract.refused[n];
          if (r) return r;
        }
        return undefined;
      },
    };
    lookups.set(contract, l);
  }
  return l;
}

function refusalClause(r: Refusal): string {
  return r.kind === 'managed' ? `is managed by Nebula (${r.reason})` : `is refused: ${r.reason}`;
}

function refusalText(flag: string, r: Refusal): string {
  return `${flag} ${refusalClause(r)}`;
}

/** The flag a token names, with its value when attached (`--x=v`, `-qawq`), or an issue. */
function resolveFlag(
  contract: EngineContract,
  token: string,
): { spec: FlagSpec; name: string; attached?: string } | { error: string } {
  const { byName } = lookup(contract);
  const d = contract.dialect;
  let name = token;
  let attached: string | undefined;
  const eq = token.indexOf('=');
  if (d.equalsForm && token.startsWith('--') && eq > 2) {
    name = token.slice(0, eq);
    attached = token.slice(eq + 1);
  }
  if (d.underscoresAsDashes && name.startsWith('--')) name = name.replace(/_/g, '-');
  const exact = byName.get(name);
  if (exact) return attached === undefined ? { spec: exact, name } : { spec: exact, name, attached };
  if (d.attachedShortValue && !name.startsWith('--') && name.length > 2) {
    const short = byName.get(name.slice(0, 2));
    if (short && short.values !== 0) return { spec: short, name: name.slice(0, 2), attached: token.slice(2) };
  }
  if (d.prefixAbbreviations && name.startsWith('--')) {
    // argparse would resolve a unique prefix; Nebula accepts full names only, but names the flag meant.
    const meant = [...byName.keys()].filter((n) => n.startsWith(name));
    const refusedMeant = meant
      .map((n) => ({ n, r: lookup(contract).refusalOf(byName.get(n)!) }))
      .find((x) => x.r);
    if (refusedMeant?.r) {
      return { error: `${name} abbreviates ${refusedMeant.n}, which ${refusalClause(refusedMeant.r)}` };
    }
    if (meant.length > 0) {
      return {
        error: `${name} is an abbreviation (of ${meant.slice(0, 3).join(', ')}); write the full flag name`,
      };
    }
  }
  return { error: `${name} is not a flag ${contract.release} accepts` };
}

/**
 * Checks `extra_args` against the contract: every token must be a flag the pinned release accepts, that
 * Nebula does not manage or refuse, followed by the values it takes. Positionals, `--`, unknown flags,
 * abbreviations and values that look like flags are refused, so the engine reads exactly what was checked.
 */
export function checkExtraArgs(
  contract: EngineContract,
  args: readonly string[],
  base = 'engine_config.extra_args',
): ContractIssue[] {
  const issues: ContractIssue[] = [];
  const { refusalOf } = lookup(contract);
  for (let i = 0; i < args.length; i++) {
    const token = args[i] ?? '';
    const path = `${base}[${i}]`;
    if (token === '--') {
      issues.push({
        path,
        message: '"--" is refused (what follows it would be read as positional arguments)',
      });
      break;
    }
    if (!looksLikeFlag(token)) {
      issues.push({ path, message: `"${token}" is not a flag: positional arguments are managed by Nebula` });
      continue;
    }
    const r = resolveFlag(contract, token);
    if ('error' in r) {
      issues.push({ path, message: r.error });
      // Skip what is probably its value, so one mistake gives one issue.
      if (!token.includes('=') && i + 1 < args.length && !looksLikeFlag(args[i + 1] ?? '')) i++;
      continue;
    }
    const refusal = refusalOf(r.spec);
    if (refusal) {
      issues.push({ path, message: refusalText(r.name, refusal) });
      if (r.attached === undefined && r.spec.values !== 0) {
        while (i + 1 < args.length && !looksLikeFlag(args[i + 1] ?? '')) i++;
      }
      continue;
    }
    const v = r.spec.values;
    if (r.attached !== undefined) {
      if (v === 0) issues.push({ path, message: `${r.name} takes no value` });
      else if (v === 2)
        issues.push({ path, message: `${r.name} takes two values; give them as separate arguments` });
      continue;
    }
    const need = v === 2 ? 2 : v === 1 || v === '+' ? 1 : 0;
    for (let k = 0; k < need; k++) {
      const next = args[i + 1];
      if (next === undefined || looksLikeFlag(next)) {
        issues.push({ path, message: `${r.name} needs a value` });
        break;
      }
      i++;
    }
    if (v === '+' || v === '?') while (i + 1 < args.length && !looksLikeFlag(args[i + 1] ?? '')) i++;
  }
  return issues;
}

/** Checks `env` names against the contract's policy (values are free text; the engine reads them as data). */
export function checkEnv(
  contract: EngineContract,
  env: Readonly<Record<string, string>>,
  base = 'engine_config.env',
): ContractIssue[] {
  const issues: ContractIssue[] = [];
  const p = contract.env;
  const { byEnv, refusalOf } = lookup(contract);
  for (const name of Object.keys(env)) {
    const path = `${base}.${name}`;
    // A variable that sets a flag (llama.cpp's LLAMA_ARG_*) follows that flag.
    const flag = byEnv.get(name);
    if (flag) {
      const r = refusalOf(flag);
      const long = flag.names.find((n) => n.startsWith('--')) ?? flag.names[0] ?? name;
      if (r) issues.push({ path, message: `${name} sets ${long}, which ${refusalClause(r)}` });
      continue;
    }
    const managed = p.managed[name];
    if (managed !== undefined) {
      issues.push({ path, message: `${name} is managed by Nebula (${managed})` });
      continue;
    }
    const denied =
      p.denied.find((d) => d.pattern.test(name)) ??
      (FILE_POINTER.pattern.test(name) ? FILE_POINTER : undefined);
    if (denied) {
      issues.push({ path, message: `${name} is refused: ${denied.reason}` });
      continue;
    }
    if (!p.allowed.some((re) => re.test(name))) {
      issues.push({
        path,
        message: `${name} is not an environment variable Nebula passes to ${contract.engine} (see docs/engine-contracts.md)`,
      });
    }
  }
  return issues;
}

/** Both checks over an engine_config. Empty when Nebula may launch it. */
export function checkEngineConfig(
  contract: EngineContract,
  cfg: { extra_args?: readonly string[] | undefined; env?: Readonly<Record<string, string>> | undefined },
): ContractIssue[] {
  return [...checkExtraArgs(contract, cfg.extra_args ?? []), ...checkEnv(contract, cfg.env ?? {})];
}

/**
 * Whether a flag emitted by an adapter is one the release accepts (by exact spelling): the adapter tests
 * assert every argv token that looks like a flag passes this.
 */
export function acceptsFlag(contract: EngineContract, flag: string): FlagSpec | undefined {
  return lookup(contract).byName.get(flag);
}

/**
 * Checked after each engine's own denials: names that point the engine at files, folders or code
 * (VLLM_NCCL_SO_PATH, NCCL_DEBUG_FILE, SGLANG_EXTERNAL_MODEL_PACKAGE, ...) are refused for every engine.
 */
const FILE_POINTER = {
  pattern: /_(PATH|PATHS|DIR|DIRS|FILE|ROOT|FOLDER|PLUGIN|PLUGINS|PACKAGE|MODULE|LIB|LIBRARY|SO)$/,
  reason: 'it points the engine at files, folders or code on the node',
};

// Environment rules every engine shares. Loader and interpreter variables make the process run code of
// the caller's choosing; device and cache variables are what placement and the cache manager decide.
export const LOADER_DENIED: EnvPolicy['denied'] = [
  { pattern: /^(LD_|DYLD_)/, reason: 'dynamic loader variable (loads code into the engine)' },
  {
    pattern: /^(PATH|IFS|ENV|BASH_ENV|SHELL|HOME|USER|LOGNAME|TMPDIR)$/,
    reason: 'process/shell environment',
  },
  { pattern: /^BASH_FUNC_/, reason: 'shell function export' },
  { pattern: /^PYTHON/, reason: 'Python interpreter variable (loads code into the engine)' },
  { pattern: /^(NODE_|NPM_)/, reason: 'Node.js interpreter variable' },
  {
    pattern: /^(PERL|RUBY|LUA_|JAVA_TOOL_OPTIONS$|_JAVA_OPTIONS$|JDK_JAVA_OPTIONS$)/,
    reason: 'interpreter variable',
  },
  {
    pattern: /^(GCONV_PATH|GETCONF_DIR|HOSTALIASES|LOCPATH|NLSPATH|RESOLV_HOST_CONF|MALLOC_)/,
    reason: 'libc loader/locale variable',
  },
  {
    pattern: /^(XDG_CONFIG_HOME|XDG_DATA_HOME|XDG_CACHE_HOME)$/,
    reason: 'moves where the engine reads its configuration',
  },
  {
    pattern: /^(http_proxy|https_proxy|HTTP_PROXY|HTTPS_PROXY|ALL_PROXY|all_proxy|NO_PROXY|no_proxy)$/,
    reason: 'outbound traffic is configured on the node, not per model',
  },
  {
    pattern: /^(SSL_CERT_FILE|SSL_CERT_DIR|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE)$/,
    reason: 'TLS trust is configured on the node',
  },
  { pattern: /^CUDA_INJECTION(32|64)_PATH$/, reason: 'loads a library into the engine' },
  { pattern: /^NCCL_.*PLUGIN$/, reason: 'loads a library into the engine' },
  { pattern: /^HF_ENDPOINT$/, reason: 'downloads go through the node cache manager and its hub settings' },
];

export const DEVICE_AND_CACHE_MANAGED: EnvPolicy['managed'] = {
  CUDA_VISIBLE_DEVICES: 'the GPUs placement assigned',
  NVIDIA_VISIBLE_DEVICES: 'the GPUs placement assigned',
  HIP_VISIBLE_DEVICES: 'the GPUs placement assigned',
  ROCR_VISIBLE_DEVICES: 'the GPUs placement assigned',
  GPU_DEVICE_ORDINAL: 'the GPUs placement assigned',
  HF_HOME: "the node's model cache",
  HF_HUB_CACHE: "the node's model cache",
  HUGGINGFACE_HUB_CACHE: "the node's model cache",
  TRANSFORMERS_CACHE: "the node's model cache",
  MODELSCOPE_CACHE: "the node's model cache",
  LLAMA_CACHE: "the node's model cache",
};

/** Variables any engine may get: hub credentials and switches, thread counts, time zone. */
export const COMMON_ALLOWED: readonly RegExp[] = [
  /^(HF_TOKEN|HUGGING_FACE_HUB_TOKEN|HF_HUB_OFFLINE|HF_HUB_DISABLE_TELEMETRY|HF_HUB_ENABLE_HF_TRANSFER)$/,
  /^(HF_HUB_DOWNLOAD_TIMEOUT|HF_HUB_ETAG_TIMEOUT|TRANSFORMERS_OFFLINE|TOKENIZERS_PARALLELISM)$/,
  /^(OMP_NUM_THREADS|MKL_NUM_THREADS|OPENBLAS_NUM_THREADS|TZ)$/,
];

/**
 * An engine's environment policy: the rules every engine shares (device and cache variables managed,
 * loader and interpreter variables denied, hub credentials and thread counts allowed), then its own.
 */
export function envPolicy(own: Partial<EnvPolicy>): EnvPolicy {
  return {
    managed: { ...DEVICE_AND_CACHE_MANAGED, ...own.managed },
    denied: [...LOADER_DENIED, ...(own.denied ?? [])],
    allowed: [...COMMON_ALLOWED, ...(own.allowed ?? [])],
  };
}

/** A flag or variable Nebula sets itself; `reason` says from what. */
export const managed = (reason: string): Refusal => ({ kind: 'managed', reason });
/** A flag or variable that is unsafe on a node; `reason` says why. */
export const denied = (reason: string): Refusal => ({ kind: 'denied', reason });

/** Where the engine listens: the node decides, behind the router. */
export const LISTENER = managed('the engine listens only where the node tells it, behind the router');

/**
 * Every engine answers /health with 200 once it serves (503 or no answer while it loads). SGLang's
 * /health_generate would run a generation on every probe.
 */
export const HEALTH_READINESS = { path: '/health', expectStatus: 200 } as const;

/** GPUs of a Python server: tensor/pipeline/data parallelism follow the replica's GPU count. */
export const PYTHON_GPUS = managed('GPUs per replica come from resources.gpu_count');

/**
 * What vLLM and SGLang (Python servers with argparse front ends and the same managed settings) refuse
 * alike; each adds its own spellings (memory share, context length) and dangerous flags.
 */
const PYTHON_SERVER_REFUSED: Readonly<Record<string, Refusal>> = {
  '--host': LISTENER,
  '--port': LISTENER,
  '--api-key': managed('the router authenticates clients'),
  '--served-model-name': managed('set served_model_name'),
  '--tensor-parallel-size': PYTHON_GPUS,
  '--pipeline-parallel-size': PYTHON_GPUS,
  '--data-parallel-size': PYTHON_GPUS,
  '--download-dir': managed("the node's model cache"),
  '--revision': managed('set revision'),
  '--dtype': managed('set engine_config.dtype'),
  '--quantization': managed('set engine_config.quantization'),
  '--enable-lora': managed('set engine_config.enable_lora'),
  '--max-lora-rank': managed("the largest rank of the adapters' configs"),
  '--kv-events-config': denied('it opens a publisher socket outside the router'),
  '--trust-remote-code': denied('it runs Python code from the model repository on the node'),
};

/** Variables a CUDA PyTorch engine may get besides its own prefix (NCCL tuning, CUDA and allocator switches). */
const PYTORCH_ALLOWED: readonly RegExp[] = [
  /^NCCL_[A-Z0-9_]+$/,
  /^CUDA_(LAUNCH_BLOCKING|DEVICE_MAX_CONNECTIONS|MODULE_LOADING|DEVICE_ORDER)$/,
  /^(PYTORCH_CUDA_ALLOC_CONF|TORCH_CUDA_ARCH_LIST|NVIDIA_TF32_OVERRIDE)$/,
];

/**
 * The contract of a Python serving engine (vLLM, SGLang): an argparse front end (`--x=v`, `-qawq`, prefix
 * abbreviations), the refusals both share plus its own, the shared env policy plus its own variables and
 * the PyTorch/NCCL switches, and the /health probe.
 */
export function pythonServerContract(c: {
  engine: EngineType;
  release: string;
  source: string;
  /** vLLM's parser reads `--max_model_len` as `--max-model-len`; SGLang's does not. */
  underscoresAsDashes: boolean;
  flags: readonly FlagSpec[];
  refused: Readonly<Record<string, Refusal>>;
  env: Partial<EnvPolicy>;
  metricNames: EngineMetricNames;
}): EngineContract {
  return {
    engine: c.engine,
    release: c.release,
    source: c.source,
    dialect: {
      equalsForm: true,
      attachedShortValue: true,
      underscoresAsDashes: c.underscoresAsDashes,
      prefixAbbreviations: true,
    },
    flags: c.flags,
    refused: { ...PYTHON_SERVER_REFUSED, ...c.refused },
    env: envPolicy({ ...c.env, allowed: [...(c.env.allowed ?? []), ...PYTORCH_ALLOWED] }),
    readiness: HEALTH_READINESS,
    metricNames: c.metricNames,
  };
}
