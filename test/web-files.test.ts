import { TestGateway } from './support/gateway';

describe("the managers' app's files", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await TestGateway.start();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('asks for the page anew each time, and keeps its hashed files a year without asking again', async () => {
    const page = await gw.request<string>('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const entry = /src="(\/assets\/index-[\w-]+\.js)"/.exec(page.body)?.[1];
    expect(entry).toBeDefined();

    const script = await gw.request<string>('GET', entry as string);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    // The workspace is a file of its own, which the page does not name: the sign-in form loads without it.
    const workspace = /\.\/(Workspace-[\w-]+\.js)/.exec(script.body)?.[1];
    expect(workspace).toBeDefined();
    expect(page.body).not.toContain(workspace);
    const chunk = await gw.request<string>('GET', `/assets/${workspace}`);
    expect(chunk.status).toBe(200);
    expect(chunk.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });
});
