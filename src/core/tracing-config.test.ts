import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { tracingConfigFromEnv } from './tracing-config.js';

describe('tracingConfigFromEnv', () => {
  it('is off without an endpoint, or when disabled', () => {
    expect(tracingConfigFromEnv({}, 'nebula-server')).toBeUndefined();
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }, 's')).toBeUndefined();
    expect(
      tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'TRUE' }, 's'),
    ).toBeUndefined();
    expect(
      tracingConfigFromEnv(
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' },
        's',
      ),
    ).toBeUndefined();
  });

  it('appends /v1/traces to the generic endpoint and uses the traces endpoint as is', () => {
    expect(
      tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 'nebula-router'),
    ).toEqual({
      url: 'http://collector:4318/v1/traces',
      serviceName: 'nebula-router',
      headers: {},
    });
    expect(
      tracingConfigFromEnv(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://otel.example.com/custom/path',
        },
        's',
      )?.url,
    ).toBe('https://otel.example.com/custom/path');
  });

  it('takes OTEL_SERVICE_NAME and the export headers', () => {
    const c = tracingConfigFromEnv(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_SERVICE_NAME: 'edge-router',
        OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20abc, x-team=ml,bad header=1,noequals',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=infra',
      },
      'nebula-router',
    );
    expect(c?.serviceName).toBe('edge-router');
    expect(c?.headers).toEqual({ authorization: 'Bearer abc', 'x-team': 'infra' });
  });

  it('refuses endpoints that are not http(s) URLs', () => {
    expect(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317' }, 's')).toThrow(
      ConfigError,
    );
    expect(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://c:4317' }, 's')).toThrow(
      /http\(s\) URL/,
    );
  });
});
