// whatsapp-web.js drives Debian's chromium (CHROMIUM_PATH); puppeteer must never download a browser.
module.exports = { skipDownload: true };
