import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type BotAction, type BotFlows, type BotFlowsView, botFlowsViewSchema } from '../../../../shared/bot-api';
import { api } from '../api';
import '../bot.css';
import type { AdminPanelProps } from './admin-panel';

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const actions: BotAction[] = ['answer', 'qualify', 'handoff'];
/** A menu item's or an answer's id, made from its place: short ASCII, as the platforms' buttons need. */
const freshId = (prefix: string, taken: readonly { id: string }[]) => {
  for (let n = taken.length + 1; ; n++) if (!taken.some((x) => x.id === `${prefix}${n}`)) return `${prefix}${n}`;
};

/** The chatbot's flows, a panel of the admin area: the switch, greetings, menu, answers, qualification and hand-off. */
export function BotPanel({ onError }: AdminPanelProps) {
  const { t } = useTranslation();
  const [view, setView] = useState<BotFlowsView | null>(null);
  const [flows, setFlows] = useState<BotFlows | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');

  useEffect(() => {
    api(botFlowsViewSchema, 'GET', '/api/bot/flows')
      .then((v) => {
        setView(v);
        setFlows(v.flows);
      })
      .catch(onError);
  }, [onError]);

  if (!flows || !view) return <p className="empty-note">…</p>;
  const change = (next: Partial<BotFlows>) => setFlows({ ...flows, ...next });
  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const saved = await api(botFlowsViewSchema, 'PUT', '/api/bot/flows', { ...flows, version: view.version });
      setView(saved);
      setFlows(saved.flows);
      setError('');
      setStatus(t('bot.panel.saved', { version: saved.version }));
    } catch (err) {
      setStatus('');
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <form className="bot-panel" id="bot-panel" onSubmit={(e) => void save(e)} aria-labelledby="bot-panel-title" noValidate>
      <h3 id="bot-panel-title">{t('bot.panel.title')}</h3>
      <p className="dialog-hint">{view.external ? t('bot.panel.external') : t('bot.panel.hint')}</p>
      <label className="switch">
        <input type="checkbox" id="bot-enabled" checked={flows.enabled} onChange={(e) => change({ enabled: e.target.checked })} />
        {t('bot.panel.enabled')}
      </label>
      <fieldset>
        <legend>{t('bot.panel.greeting')}</legend>
        <label>
          {t('bot.panel.inHours')}
          <textarea
            value={flows.greeting.inHours}
            rows={3}
            maxLength={1000}
            onChange={(e) => change({ greeting: { ...flows.greeting, inHours: e.target.value } })}
          />
        </label>
        <label>
          {t('bot.panel.outOfHours')}
          <textarea
            value={flows.greeting.outOfHours}
            rows={3}
            maxLength={1000}
            onChange={(e) => change({ greeting: { ...flows.greeting, outOfHours: e.target.value } })}
          />
        </label>
      </fieldset>
      <fieldset>
        <legend>{t('bot.panel.menu')}</legend>
        <ol className="bot-menu">
          {flows.menu.map((item, i) => {
            const set = (next: Partial<typeof item>) => change({ menu: flows.menu.map((m, k) => (k === i ? { ...m, ...next } : m)) });
            return (
              <li key={item.id}>
                <label>
                  {t('bot.panel.menuTitle')}
                  <input value={item.title} maxLength={20} onChange={(e) => set({ title: e.target.value })} />
                </label>
                <label>
                  {t('bot.panel.menuAction')}
                  <select value={item.action} onChange={(e) => set({ action: e.target.value as BotAction })}>
                    {actions.map((a) => (
                      <option key={a} value={a}>
                        {t(`bot.panel.action.${a}`)}
                      </option>
                    ))}
                  </select>
                </label>
                {item.action === 'answer' && (
                  <label>
                    {t('bot.panel.menuAnswer')}
                    <select value={item.answerId ?? ''} onChange={(e) => set({ answerId: e.target.value })}>
                      <option value="">—</option>
                      {flows.answers.map((a) => (
                        <option key={a.id} value={a.id}>
                          {a.keywords[0] ?? a.id}
                        </option>
                      ))}
                    </select>
                  </label>
                )}
                <button type="button" onClick={() => change({ menu: flows.menu.filter((_, k) => k !== i) })}>
                  {t('bot.panel.remove', { name: item.title })}
                </button>
              </li>
            );
          })}
        </ol>
        <button
          type="button"
          disabled={flows.menu.length >= 10}
          onClick={() =>
            change({ menu: [...flows.menu, { id: freshId('m', flows.menu), title: t('bot.panel.newItem'), action: 'handoff' }] })
          }
        >
          {t('bot.panel.addMenu')}
        </button>
      </fieldset>
      <fieldset>
        <legend>{t('bot.panel.answers')}</legend>
        <ol className="bot-answers">
          {flows.answers.map((answer, i) => {
            const set = (next: Partial<typeof answer>) =>
              change({ answers: flows.answers.map((a, k) => (k === i ? { ...a, ...next } : a)) });
            return (
              <li key={answer.id}>
                <label>
                  {t('bot.panel.keywords')}
                  <input value={answer.keywords.join(', ')} onChange={(e) => set({ keywords: list(e.target.value) })} />
                </label>
                <label>
                  {t('bot.panel.answerText')}
                  <textarea value={answer.text} rows={2} maxLength={1000} onChange={(e) => set({ text: e.target.value })} />
                </label>
                <button type="button" onClick={() => change({ answers: flows.answers.filter((_, k) => k !== i) })}>
                  {t('bot.panel.remove', { name: answer.keywords[0] ?? answer.id })}
                </button>
              </li>
            );
          })}
        </ol>
        <button
          type="button"
          onClick={() => change({ answers: [...flows.answers, { id: freshId('a', flows.answers), keywords: [], text: '' }] })}
        >
          {t('bot.panel.addAnswer')}
        </button>
      </fieldset>
      <fieldset>
        <legend>{t('bot.panel.handOff')}</legend>
        <label className="switch">
          <input
            type="checkbox"
            checked={flows.qualification.enabled}
            onChange={(e) => change({ qualification: { ...flows.qualification, enabled: e.target.checked } })}
          />
          {t('bot.panel.qualification')}
        </label>
        <label>
          {t('bot.panel.handOffWords')}
          <input
            value={flows.handOff.words.join(', ')}
            onChange={(e) => change({ handOff: { ...flows.handOff, words: list(e.target.value) } })}
          />
        </label>
        <label>
          {t('bot.panel.afterUnmatched')}
          <input
            type="number"
            min={1}
            max={10}
            value={flows.handOff.afterUnmatched}
            onChange={(e) => change({ handOff: { ...flows.handOff, afterUnmatched: Number(e.target.value) || 1 } })}
          />
        </label>
      </fieldset>
      <button type="submit" className="primary" id="bot-save">
        {t('bot.panel.save')}
      </button>
      <p className="status-note" role="status">
        {status}
      </p>
      <p className="error" role="alert">
        {error}
      </p>
    </form>
  );
}
