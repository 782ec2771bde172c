import { DeliveryError } from '../../shared/messages';

/** The DeliveryError a send failed with; anything else, or no failure at all, fails the test. */
export async function deliveryFailure(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof DeliveryError) return e;
    throw e;
  }
  throw new Error('expected a DeliveryError');
}
