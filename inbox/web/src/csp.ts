import { z } from 'zod';

// Imported before anything that builds a schema: zod probes for eval with new Function unless told not to, and the
// page's CSP refuses eval, which would only log a refusal in every manager's console.
z.config({ jitless: true });
