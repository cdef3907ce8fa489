import { useState } from 'preact/hooks';
import { ApiError, api, type ChaosKind, type ChaosRule, type ChaosRuleInput } from '../api';
import { dateTime } from '../format';
import { useResource } from '../live';

/** A fault's parameters: each a name, how the form asks for it, and its choices or default. */
interface Parameter {
  name: string;
  label: string;
  choices?: string[];
  initial: string;
  optional?: boolean;
}

const FAULTS: Record<ChaosKind, Record<string, Parameter[]>> = {
  api: {
    error: [{ name: 'status', label: 'status', choices: ['500', '502', '503'], initial: '503' }],
    'rate-limit': [{ name: 'retryAfterSeconds', label: 'Retry-After (s)', initial: '30' }],
    latency: [{ name: 'ms', label: 'added ms', initial: '2000' }],
    timeout: [],
    reset: [],
  },
  webhook: { duplicate: [], reorder: [], drop: [], delay: [{ name: 'ms', label: 'delay ms', initial: '5000' }] },
  session: {
    disconnect: [],
    logout: [],
    flap: [
      { name: 'periodMs', label: 'period ms', initial: '10000' },
      { name: 'times', label: 'times', initial: '3' },
    ],
  },
  delivery: {
    stuck: [{ name: 'at', label: 'stuck at', choices: ['sent', 'delivered'], initial: 'sent' }],
    fail: [
      { name: 'code', label: 'provider code', initial: '' },
      { name: 'reason', label: 'reason', initial: '', optional: true },
    ],
  },
};

const NUMERIC = new Set(['status', 'retryAfterSeconds', 'ms', 'periodMs', 'times']);

/** The chaos switches: rules that make provider calls, webhooks, sessions or deliveries fail on purpose. */
export function ChaosView({ providers }: { providers: string[] }) {
  const chaos = useResource(
    () =>
      api<{ seed: number; rules: ChaosRule[] }>('GET', '/chaos').catch((problem: unknown) => {
        if (problem instanceof ApiError && problem.status === 404) return null;
        throw problem;
      }),
    [],
    (event) => event.type === 'request' || event.type === 'webhook' || event.type === 'session' || event.type === 'message',
  );
  const [error, setError] = useState<string | undefined>(undefined);
  const run = async (work: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await work();
      chaos.reload();
    } catch (problem) {
      setError((problem as Error).message);
    }
  };

  if (chaos.error) return <p class="error">{chaos.error}</p>;
  if (!chaos.data) {
    return (
      <section>
        <h1>Chaos</h1>
        <p class="empty">{chaos.data === null ? 'This sandbox has no chaos switches (GET /__sandbox/chaos answered 404).' : 'Loading…'}</p>
      </section>
    );
  }
  const { seed, rules } = chaos.data;
  return (
    <section>
      <div class="heading">
        <h1>Chaos</h1>
        <span class="muted">seed {seed}: the same seed gives the same faults</span>
      </div>
      <RuleForm providers={providers} onAdd={(rule) => run(() => api('POST', '/chaos', rule))} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="card">
        <div class="heading">
          <h2>Rules</h2>
          {rules.length > 0 && (
            <button type="button" onClick={() => run(() => api('DELETE', '/chaos'))}>
              Remove all
            </button>
          )}
        </div>
        {rules.length === 0 && <p class="empty">No rules: everything behaves.</p>}
        {rules.length > 0 && (
          <table aria-label="chaos rules">
            <thead>
              <tr>
                <th>Rule</th>
                <th>Kind</th>
                <th>Where</th>
                <th>Fault</th>
                <th>How often</th>
                <th>Hits</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rules.map((rule) => (
                <tr key={rule.id} data-testid="chaos-rule">
                  <td title={dateTime(rule.createdAt)}>{rule.id}</td>
                  <td>{rule.kind}</td>
                  <td class="small">
                    {rule.provider ?? 'any provider'}
                    {rule.account ? ` / ${rule.account}` : ''}
                    {rule.route ? (
                      <>
                        {' '}
                        <code>{rule.route}</code>
                      </>
                    ) : null}
                  </td>
                  <td>
                    <code>{JSON.stringify(rule.fault)}</code>
                  </td>
                  <td class="small">
                    {rule.next !== undefined
                      ? `next ${rule.next} (${rule.remaining ?? 0} left)`
                      : rule.share !== undefined
                        ? `${Math.round(rule.share * 100)}%`
                        : 'every time'}
                  </td>
                  <td title={`${rule.seen} matching events seen`}>{rule.hits}</td>
                  <td>
                    <button type="button" onClick={() => run(() => api('DELETE', `/chaos/${encodeURIComponent(rule.id)}`))}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}

function RuleForm({ providers, onAdd }: { providers: string[]; onAdd: (rule: ChaosRuleInput) => void }) {
  const [kind, setKind] = useState<ChaosKind>('api');
  const [type, setType] = useState('error');
  const [values, setValues] = useState<Record<string, string>>({});
  const [provider, setProvider] = useState('');
  const [account, setAccount] = useState('');
  const [route, setRoute] = useState('');
  const [how, setHow] = useState<'next' | 'share' | 'always'>('next');
  const [amount, setAmount] = useState('1');
  const parameters = FAULTS[kind][type] ?? [];

  const choose = (next: ChaosKind) => {
    setKind(next);
    setType(Object.keys(FAULTS[next])[0]!);
    setValues({});
  };
  const submit = (event: Event) => {
    event.preventDefault();
    const fault: ChaosRuleInput['fault'] = { type };
    for (const parameter of parameters) {
      const value = values[parameter.name] ?? parameter.initial;
      if (value === '' && parameter.optional) continue;
      fault[parameter.name] = NUMERIC.has(parameter.name) ? Number(value) : value;
    }
    onAdd({
      kind,
      fault,
      ...(provider ? { provider } : {}),
      ...(account ? { account } : {}),
      ...(route && kind === 'api' ? { route } : {}),
      ...(how === 'next' ? { next: Number(amount) } : how === 'share' ? { share: Number(amount) } : {}),
    });
  };

  return (
    <form class="card rule-form" onSubmit={submit} aria-label="new chaos rule">
      <h2>New rule</h2>
      <div class="composer-row">
        <label>
          kind
          <select aria-label="chaos kind" value={kind} onChange={(event) => choose(event.currentTarget.value as ChaosKind)}>
            {Object.keys(FAULTS).map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <label>
          fault
          <select aria-label="fault" value={type} onChange={(event) => setType(event.currentTarget.value)}>
            {Object.keys(FAULTS[kind]).map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        {parameters.map((parameter) => (
          <span class="field" key={parameter.name}>
            {parameter.label}
            {parameter.choices ? (
              <select
                aria-label={parameter.label}
                value={values[parameter.name] ?? parameter.initial}
                onChange={(event) => setValues({ ...values, [parameter.name]: event.currentTarget.value })}
              >
                {parameter.choices.map((choice) => (
                  <option key={choice}>{choice}</option>
                ))}
              </select>
            ) : (
              <input
                class="narrow-wide"
                aria-label={parameter.label}
                required={!parameter.optional}
                value={values[parameter.name] ?? parameter.initial}
                onInput={(event) => setValues({ ...values, [parameter.name]: event.currentTarget.value })}
              />
            )}
          </span>
        ))}
      </div>
      <div class="composer-row">
        <label>
          provider
          <select aria-label="chaos provider" value={provider} onChange={(event) => setProvider(event.currentTarget.value)}>
            <option value="">any</option>
            {providers.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <label>
          account
          <input class="narrow-wide" aria-label="chaos account" placeholder="any" value={account} onInput={(event) => setAccount(event.currentTarget.value)} />
        </label>
        {kind === 'api' && (
          <label>
            route
            <input aria-label="chaos route" placeholder="POST /*/sendMessage (any)" value={route} onInput={(event) => setRoute(event.currentTarget.value)} />
          </label>
        )}
        <label>
          when
          <select aria-label="how often" value={how} onChange={(event) => setHow(event.currentTarget.value as typeof how)}>
            <option value="next">the next N</option>
            <option value="share">a share (0–1)</option>
            <option value="always">every time</option>
          </select>
        </label>
        {how !== 'always' && (
          <input class="narrow" aria-label={how === 'next' ? 'N' : 'share'} value={amount} onInput={(event) => setAmount(event.currentTarget.value)} />
        )}
        <button type="submit" class="primary">
          Add rule
        </button>
      </div>
    </form>
  );
}
