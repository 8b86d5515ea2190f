import type { Clock } from '../../core/clock.js';
import { ClusterSettings, DEFAULT_CLUSTER_SETTINGS } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import { decode, encode, type Typed } from '../../store/json.js';
import type { Store } from '../../store/types.js';
import { ApiError } from '../errors.js';

/** The patch an admin sends: any subset of the settable fields. */
export type ClusterSettingsPatch = Partial<Pick<ClusterSettings, 'engine_overrides'>>;

/** `/settings/cluster`: read (defaults when never written) and change with optimistic concurrency. */
export class ClusterSettingsService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  private static readonly key = keys.settings('cluster');

  /** The stored settings (or the defaults, at revision 0). Read per request: they change rarely, and a stale cache would be a hole. */
  async get(): Promise<Typed<ClusterSettings>> {
    const kv = await this.store.get(ClusterSettingsService.key);
    if (kv) return decode(ClusterSettings, kv);
    const key = ClusterSettingsService.key;
    return { key, value: { ...DEFAULT_CLUSTER_SETTINGS }, modRevision: 0, createRevision: 0, version: 0 };
  }

  /** Applies a patch; 409 CONFLICT when `expected` is older than what is stored. */
  async update(patch: ClusterSettingsPatch, expected: number | undefined, actor: string): Promise<void> {
    const cur = await this.get();
    if (expected !== undefined && cur.modRevision > expected) {
      throw new ApiError(
        409,
        'CONFLICT',
        'the settings were changed since you read them; read them again and retry',
        {
          details: { resource_version: cur.modRevision, expected },
        },
      );
    }
    const next = ClusterSettings.parse({
      ...cur.value,
      ...patch,
      updated_at: new Date(this.clock.now()).toISOString(),
      updated_by: actor,
    });
    const res = await this.store.txn({
      compare: [{ key: ClusterSettingsService.key, modRevision: cur.modRevision }],
      success: [{ op: 'put', key: ClusterSettingsService.key, value: encode(ClusterSettings, next) }],
    });
    if (!res.succeeded)
      throw new ApiError(
        409,
        'CONFLICT',
        'the settings were changed concurrently; read them again and retry',
      );
  }
}
