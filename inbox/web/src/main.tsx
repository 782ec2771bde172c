import './csp';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './components/App';
import { i18n } from './i18n';
import './app.css';

const root = document.getElementById('root');
if (!root) throw new Error('the page has no #root to mount the inbox in');
createRoot(root).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <App />
    </I18nextProvider>
  </StrictMode>,
);
