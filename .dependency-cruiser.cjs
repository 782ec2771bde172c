/**
 * The layering of the gateway, enforced in CI:
 * - domain code (inbox/, automations/, bot/) never imports a platform SDK, a transport or the channels;
 * - channels never touch the store, the inbox or the process wiring;
 * - the domain speaks to the store through its port (inbox/store/port.ts) and gets plain records: only the store's
 *   implementation (inbox/store/mongo/) touches the driver, and only the inbox's wiring (inbox/index.ts) picks it;
 * - shared/ depends on nothing of ours.
 */
const platformSdks = '^node_modules/(grammy|@grammyjs|viber-bot|whatsapp-web\\.js|puppeteer|nodemailer|imapflow|mailparser|smtp-server)/';
const transports = '^node_modules/(express|socket\\.io|@socket\\.io|redis)/';

module.exports = {
  forbidden: [
    {
      name: 'domain-without-platform-sdks',
      comment: 'inbox/, automations/ and bot/ speak to platforms only through the ports in shared/',
      severity: 'error',
      from: { path: '^(inbox|automations|bot)/' },
      to: { path: [platformSdks, transports, '^(channels|gateway)/'] },
    },
    {
      name: 'inbox-without-job-queue',
      comment: 'the inbox hands work to the queue through the DeliveryQueue port',
      severity: 'error',
      from: { path: '^(inbox|bot)/' },
      to: { path: ['^node_modules/(agenda|@agendajs)/', '^automations/'] },
    },
    {
      name: 'domain-through-the-store-port',
      comment: 'use cases and automations get plain records from inbox/store/port.ts, never documents or driver types',
      severity: 'error',
      from: { path: '^(inbox|automations|bot)/', pathNot: ['^inbox/store/mongo/', '^inbox/index\\.ts$', '^automations/jobs\\.ts$'] },
      to: { path: ['^node_modules/(mongoose|mongodb|bson)/', '^inbox/store/mongo/'] },
    },
    {
      name: 'automations-through-the-inbox',
      comment: 'automations act on the inbox through its use cases and port types, not through the store implementation',
      severity: 'error',
      from: { path: '^automations/' },
      to: { path: '^inbox/store/mongo/' },
    },
    {
      name: 'inbox-without-the-bot',
      comment: 'the inbox knows the chatbot only through its ports (inbox/ports.ts BotIntake, the bot-holds use case)',
      severity: 'error',
      from: { path: '^(inbox|automations)/' },
      to: { path: '^bot/' },
    },
    {
      name: 'channels-without-store',
      comment: 'channels turn payloads into events and send replies; storing is the inbox’s job',
      severity: 'error',
      from: { path: '^channels/' },
      to: { path: ['^node_modules/(mongoose|mongodb|agenda|@agendajs)/', '^(inbox|automations|gateway|bot)/'] },
    },
    {
      name: 'web-app-in-the-browser',
      comment: 'the managers’ app runs in the browser: it shares the schemas in shared/, never the server’s modules',
      severity: 'error',
      from: { path: '^inbox/web/src/' },
      to: {
        path: ['^(inbox|automations|channels|gateway|bot)/', '^node_modules/(mongoose|mongodb|express|socket\\.io|agenda)/'],
        pathNot: '^inbox/web/src/',
      },
    },
    {
      name: 'nothing-imports-the-web-app',
      severity: 'error',
      from: { pathNot: '^inbox/web/' },
      to: { path: '^inbox/web/' },
    },
    {
      name: 'shared-stands-alone',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(inbox|automations|channels|gateway|bot)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // The built app: its chunks load one another by design, and its sources are cruised in inbox/web/src.
    exclude: { path: '^inbox/web/dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
