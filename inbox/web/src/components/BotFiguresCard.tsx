import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type BotFigures, botFiguresSchema } from '../../../../shared/bot-api';
import { api, download } from '../api';
import { duration } from '../format';
import '../bot.css';

/** The chatbot's figures of the dashboard's range: what it handled alone, what it handed off and why, what it could not answer. */
export function BotFiguresCard({ from, to }: { from: string; to: string }) {
  const { t } = useTranslation();
  const [figures, setFigures] = useState<BotFigures | null>(null);
  useEffect(() => {
    let current = true;
    api(botFiguresSchema, 'GET', `/api/metrics/bot?${new URLSearchParams({ from, to })}`)
      .then((f) => current && setFigures(f))
      .catch(() => current && setFigures(null));
    return () => {
      current = false;
    };
  }, [from, to]);

  const ms = (v: number | null) => (v === null ? '—' : duration(v));
  return (
    <section className="bot-figures" id="bot-figures" aria-labelledby="bot-figures-title">
      <h3 id="bot-figures-title">{t('bot.figures.title')}</h3>
      {!figures || figures.conversations === 0 ? (
        <p className="empty-note">{t('bot.figures.none')}</p>
      ) : (
        <>
          <dl className="bot-tiles">
            <div>
              <dt>{t('bot.figures.conversations')}</dt>
              <dd>{figures.conversations}</dd>
            </div>
            <div>
              <dt>{t('bot.figures.handled')}</dt>
              <dd>{figures.handledByBot}</dd>
            </div>
            <div>
              <dt>{t('bot.figures.handedOff')}</dt>
              <dd>
                {figures.handedOff}
                {figures.handOffRate !== null && ` · ${Math.round(figures.handOffRate * 100)}%`}
              </dd>
            </div>
            <div>
              <dt>{t('bot.figures.timeToHandOff')}</dt>
              <dd>
                {ms(figures.timeToHandOff.p50Ms)} / {ms(figures.timeToHandOff.p90Ms)}
              </dd>
            </div>
          </dl>
          {figures.reasons.length > 0 && (
            <>
              <h4>{t('bot.figures.reasons')}</h4>
              <ul className="bot-reasons">
                {figures.reasons.map((r) => (
                  <li key={r.reason}>
                    <span>{t(`bot.reason.${r.reason}`, { defaultValue: r.reason })}</span> <span className="count">{r.count}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          {figures.unmatched.length > 0 && (
            <>
              <h4>{t('bot.figures.unmatched')}</h4>
              <ol className="bot-unmatched" id="bot-unmatched">
                {figures.unmatched.map((u) => (
                  <li key={u.text}>
                    <span className="question">{u.text}</span> <span className="count">{u.count}</span>
                  </li>
                ))}
              </ol>
            </>
          )}
          <button
            type="button"
            onClick={() =>
              void download(`/api/metrics/bot.csv?${new URLSearchParams({ from, to })}`, 'bot-figures.csv').catch(() => undefined)
            }
          >
            {t('bot.figures.csv')}
          </button>
        </>
      )}
    </section>
  );
}
