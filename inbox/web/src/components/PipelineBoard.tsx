import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type BoardAnswer, boardAnswer } from '../../../../shared/pipeline-api';
import { api } from '../api';
import { duration } from '../format';
import type { Live } from '../live';
import { moveLead } from '../pipeline';
import '../pipeline.css';
import { ChannelOptions } from './ChannelOptions';

/**
 * The pipeline as columns, one per open stage, each lead longest in its stage first; a card opens its conversation,
 * and its menu moves it (a select: the keyboard and a screen reader use it as they would any other).
 */
export function PipelineBoard({ live, onOpen, onError }: { live: Live | null; onOpen(id: string): void; onError(err: unknown): void }) {
  const { t } = useTranslation();
  const [board, setBoard] = useState<BoardAnswer | null>(null);
  const [channel, setChannel] = useState('');
  const [notice, setNotice] = useState('');

  const load = useCallback(
    () =>
      api(boardAnswer, 'GET', `/api/pipeline/board${channel ? `?channel=${channel}` : ''}`)
        .then(setBoard)
        .catch(onError),
    [channel, onError],
  );
  useEffect(() => {
    void load();
  }, [load]);
  // Another manager's move, a first reply, a new lead: the board is read again, at most once a second.
  useEffect(() => {
    if (!live) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = live.on('lead:updated', () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        void load();
      }, 1000);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [live, load]);

  const now = Date.now();
  const move = async (conversationId: string, name: string, from: string, to: string) => {
    try {
      await moveLead(conversationId, { stageId: to, fromStageId: from });
      const label = board?.columns.find((c) => c.stage.id === to)?.stage.label ?? to;
      setNotice(t('pipeline.moved', { name, stage: label }));
    } catch (err) {
      onError(err);
    }
    await load();
  };

  return (
    <main className="pipeline-board" id="pipeline" aria-labelledby="pipeline-title">
      <header className="pipeline-head">
        <h2 id="pipeline-title">{t('pipeline.boardTitle')}</h2>
        <label>
          {t('pipeline.channel')}
          <select id="board-channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
            <ChannelOptions anyLabel={t('pipeline.anyChannel')} anyValue="" />
          </select>
        </label>
        <p className="notice-line" role="status">
          {notice}
        </p>
      </header>
      <div className="board-columns">
        {(board?.columns ?? []).map((column) => (
          <section
            key={column.stage.id}
            className="board-column"
            aria-labelledby={`column-${column.stage.id}`}
            data-stage={column.stage.id}
          >
            <h3 id={`column-${column.stage.id}`}>
              {column.stage.label} <span className="count">{column.count}</span>
            </h3>
            {column.leads.length === 0 ? (
              <p className="empty-note">{t('pipeline.emptyColumn')}</p>
            ) : (
              <ol>
                {column.leads.map(({ lead, contactName, lastMessagePreview }) => (
                  <li key={lead.id} className="board-card" data-id={lead.conversationId}>
                    <button type="button" className="link card-name" onClick={() => onOpen(lead.conversationId)}>
                      {contactName}
                    </button>
                    <span className={`channel-badge ${lead.channel}`}>{t(`channel.${lead.channel}`)}</span>
                    <p className="card-preview">{lastMessagePreview}</p>
                    <p className="card-age">{t('pipeline.inStage', { time: duration(now - new Date(lead.stageSince).getTime()) })}</p>
                    <label className="card-move">
                      <span className="visually-hidden">{t('pipeline.moveCard', { name: contactName })}</span>
                      <select
                        value=""
                        onChange={(e) => e.target.value && void move(lead.conversationId, contactName, lead.stageId, e.target.value)}
                      >
                        <option value="">{t('pipeline.moveTo')}</option>
                        {(board?.columns ?? [])
                          .filter((c) => c.stage.id !== column.stage.id)
                          .map((c) => (
                            <option key={c.stage.id} value={c.stage.id}>
                              {c.stage.label}
                            </option>
                          ))}
                      </select>
                    </label>
                  </li>
                ))}
              </ol>
            )}
          </section>
        ))}
      </div>
    </main>
  );
}
