/**
 * A new customer message or an escalation to this manager: a short chime (Web Audio, no file to fetch) and, once the
 * manager allowed it, a desktop notification. Browsers let a page play sound only after a first click or key, which
 * signing in always is.
 */
let audio: AudioContext | null = null;

export function chime(): void {
  try {
    audio ??= new AudioContext();
    const now = audio.currentTime;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.12);
      gain.gain.exponentialRampToValueAtTime(0.15, now + i * 0.12 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.12 + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.12);
      osc.stop(now + i * 0.12 + 0.3);
    }
  } catch {
    // No audio device (a wall screen without speakers): the title and the list still say it.
  }
}

export const notificationsAllowed = () => typeof Notification !== 'undefined' && Notification.permission === 'granted';
export const canAskNotifications = () => typeof Notification !== 'undefined' && Notification.permission === 'default';

export async function askNotifications(): Promise<boolean> {
  if (typeof Notification === 'undefined') return false;
  return (await Notification.requestPermission()) === 'granted';
}

export function notify(title: string, body: string, onClick: () => void): void {
  if (!notificationsAllowed() || document.visibilityState === 'visible') return;
  const n = new Notification(title, { body, tag: title });
  n.onclick = () => {
    window.focus();
    onClick();
    n.close();
  };
}
