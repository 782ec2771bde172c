import { type FormEvent, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { templatesAnswer } from '../../../../shared/inbox-api';
import { api } from '../api';

type Listed =
  | { state: 'loading' }
  | { state: 'listed'; items: typeof templatesAnswer._output.items }
  | { state: 'unlisted'; reason: string };

/** `{{1}}`… in the body replaced by the values typed so far (an empty one stays as its placeholder). */
const filled = (body: string, values: readonly string[]) => body.replace(/\{\{(\d+)\}\}/g, (whole, n) => values[Number(n) - 1] || whole);

/**
 * Once the reply window has closed only an approved template reaches a WhatsApp customer: pick one of the business's
 * approved templates, fill its values and see what the customer will read. Where the templates cannot be listed
 * (no business account id set, Meta unreachable), one is sent by its name and language.
 */
export function TemplateComposer({
  channel,
  onSend,
  onError,
}: {
  channel: string;
  onSend(template: { name: string; language: string; params: string[] }): Promise<void>;
  onError(err: unknown): void;
}) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const [listed, setListed] = useState<Listed>({ state: 'loading' });
  const [chosen, setChosen] = useState('');
  const [values, setValues] = useState<string[]>([]);
  const [name, setName] = useState('');
  const [language, setLanguage] = useState(i18n.language.startsWith('uk') ? 'uk' : 'en');
  const [lines, setLines] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let current = true;
    api(templatesAnswer, 'GET', `/api/channels/${channel}/templates`).then(
      (answer) => current && setListed({ state: 'listed', items: answer.items }),
      (err: unknown) => current && setListed({ state: 'unlisted', reason: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      current = false;
    };
  }, [channel]);

  const template = listed.state === 'listed' ? listed.items.find((x) => `${x.name}|${x.language}` === chosen) : undefined;
  const manual = listed.state === 'unlisted';
  const ready = !busy && (manual ? name.trim() !== '' && language.trim() !== '' : template !== undefined && values.every((v) => v.trim()));

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!ready) return;
    setBusy(true);
    try {
      if (manual) {
        const params = lines
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean);
        await onSend({ name: name.trim(), language: language.trim(), params });
        setName('');
        setLines('');
      } else if (template) {
        await onSend({ name: template.name, language: template.language, params: values.map((v) => v.trim()) });
        setChosen('');
        setValues([]);
      }
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form id="template-reply" className="composer template-composer" onSubmit={(e) => void submit(e)}>
      {listed.state === 'loading' && <p className="hint">{t('templates.loading')}</p>}
      {listed.state === 'listed' && listed.items.length === 0 && <p className="hint">{t('templates.none')}</p>}
      {listed.state === 'listed' && listed.items.length > 0 && (
        <>
          <label htmlFor={`${id}-pick`}>{t('templates.label')}</label>
          <select
            id={`${id}-pick`}
            value={chosen}
            onChange={(e) => {
              setChosen(e.target.value);
              const next = listed.items.find((x) => `${x.name}|${x.language}` === e.target.value);
              setValues(Array.from({ length: next?.params ?? 0 }, () => ''));
            }}
          >
            <option value="">{t('templates.choose')}</option>
            {listed.items.map((x) => (
              <option key={`${x.name}|${x.language}`} value={`${x.name}|${x.language}`}>
                {x.name} · {x.language}
              </option>
            ))}
          </select>
          {template && (
            <>
              {values.map((v, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the values are the template's numbered placeholders, fixed in count and order
                <div className="template-value" key={`${template.name}-${i + 1}`}>
                  <label htmlFor={`${id}-v${i}`}>{t('templates.value', { n: `{{${i + 1}}}` })}</label>
                  <input
                    id={`${id}-v${i}`}
                    value={v}
                    onChange={(e) => setValues((prev) => prev.map((p, j) => (j === i ? e.target.value : p)))}
                  />
                </div>
              ))}
              <figure className="template-preview">
                <figcaption>{t('templates.preview')}</figcaption>
                <p>{filled(template.body, values)}</p>
              </figure>
            </>
          )}
        </>
      )}
      {manual && (
        <>
          <p className="hint">{t('templates.unlisted', { reason: listed.reason })}</p>
          <label htmlFor={`${id}-name`}>{t('templates.name')}</label>
          <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
          <label htmlFor={`${id}-lang`}>{t('templates.language')}</label>
          <input id={`${id}-lang`} value={language} onChange={(e) => setLanguage(e.target.value)} autoComplete="off" />
          <label htmlFor={`${id}-values`}>{t('templates.values')}</label>
          <textarea id={`${id}-values`} rows={2} value={lines} onChange={(e) => setLines(e.target.value)} />
        </>
      )}
      {listed.state !== 'loading' && (
        <button type="submit" className="primary" disabled={!ready}>
          {busy ? t('thread.sending') : t('templates.send')}
        </button>
      )}
    </form>
  );
}
