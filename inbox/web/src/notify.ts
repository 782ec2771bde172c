/**
 * A new customer message or an escalation to this manager: a short chime (Web Audio, no file to fetch) and, once the
 * manager allowed it, a desktop notification. Browsers let a page play sound only after a first click or key, which
 * signing in always is.
 */
import { whenIdle } from './later';

let audio: AudioContext | null = null;

function openAudio(): AudioContext {
  audio ??= new AudioContext();
  return audio;
}

/**
 * Opens the audio output while the page is idle, ahead of the first chime: opening it can hold the page for a long
 * moment (hundreds of milliseconds on a machine without a sound card), which the first live update must not pay.
 */
export function prepareChime(): () => void {
  return whenIdle(() => {
    try {
      openAudio();
    } catch {
      // No audio at all: chime() will try again, and stay silent.
    }
  });
}

let sounding = 0;

/** A burst of messages chimes once: a chime while the last one still sounds would add only noise, and work. */
export function chime(): void {
  try {
    const audio = openAudio();
    const now = audio.currentTime;
    if (now < sounding) return;
    sounding = now + 0.42;
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
  // The permission is asked of the browser, slowly, so not for the manager who is looking at the page anyway.
  if (document.visibilityState === 'visible' || !notificationsAllowed()) return;
  const n = new Notification(title, { body, tag: title });
  n.onclick = () => {
    window.focus();
    onClick();
    n.close();
  };
}
