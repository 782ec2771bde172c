import Bottleneck from 'bottleneck';

/**
 * Spaces outbound calls to stay under a platform's published rate (WhatsApp: 80 messages/s per number; Instagram:
 * 300 calls/s per account for text). Spacing needs no timers of its own, so nothing is left running on stop. The
 * limit holds per gateway process; whatever still gets through is refused by Meta with a rate-limit code, which the
 * sender turns into a retryable DeliveryError for the delivery queue.
 */
export function rateLimiter(perSecond: number, maxConcurrent = 20): Bottleneck {
  return new Bottleneck({ minTime: Math.ceil(1000 / perSecond), maxConcurrent });
}
