import { nextPollInterval, stateForCanceledSession, transition, waitingOn } from '../../../workflows/checkout-session/state';

describe('checkout state machine', () => {
  it('follows the happy path AwaitingReturn → Finalizing → Completed', () => {
    expect(transition('AwaitingReturn', { type: 'BuyerReturned' })).toEqual({ next: 'Finalizing' });
    expect(transition('Finalizing', { type: 'Confirmed', pending: false })).toEqual({ next: 'Completed' });
  });

  it('goes through AuthorizationPending on 202 and settles by the charge state', () => {
    expect(transition('Finalizing', { type: 'Confirmed', pending: true })).toEqual({ next: 'AuthorizationPending' });
    expect(transition('AuthorizationPending', { type: 'ChargeRead', chargeState: 'Authorized' })).toEqual({ next: 'Completed' });
    expect(transition('AuthorizationPending', { type: 'ChargeRead', chargeState: 'Captured' })).toEqual({ next: 'Completed' });
    expect(transition('AuthorizationPending', { type: 'ChargeRead', chargeState: 'Declined', reasonCode: 'HardDeclined' })).toEqual({
      next: 'Declined',
      reasonCode: 'HardDeclined',
    });
    expect(transition('AuthorizationPending', { type: 'ChargeRead', chargeState: 'Canceled' })).toEqual({ next: 'Declined', reasonCode: 'Canceled' });
    expect(transition('AuthorizationPending', { type: 'ChargeRead', chargeState: 'AuthorizationInitiated' })).toEqual({
      next: 'AuthorizationPending',
    });
    expect(transition('AuthorizationPending', { type: 'PendingTimedOut' })).toEqual({ next: 'Failed', reasonCode: 'AuthorizationPendingTimedOut' });
  });

  it('tells declines from requests Amazon will never accept', () => {
    expect(transition('Finalizing', { type: 'ConfirmRejected', reasonCode: 'HardDeclined' })).toEqual({ next: 'Declined', reasonCode: 'HardDeclined' });
    expect(transition('Finalizing', { type: 'ConfirmRejected', reasonCode: 'AmountMismatch' })).toEqual({ next: 'Failed', reasonCode: 'AmountMismatch' });
  });

  it('settles an ambiguous confirmation from Get Checkout Session', () => {
    expect(transition('Finalizing', { type: 'SessionRead', sessionState: 'Completed' })).toEqual({ next: 'Completed' });
    expect(transition('Finalizing', { type: 'SessionRead', sessionState: 'Completed', chargePending: true })).toEqual({ next: 'AuthorizationPending' });
    // A lost 202 whose authorization settled before the reconciling read: the charge's state decides.
    expect(transition('Finalizing', { type: 'SessionRead', sessionState: 'Completed', chargeState: 'Declined' })).toEqual({ next: 'Declined', reasonCode: 'Declined' });
    expect(transition('AwaitingReturn', { type: 'SessionRead', sessionState: 'Completed', chargeState: 'Canceled' })).toEqual({ next: 'Declined', reasonCode: 'Canceled' });
    expect(transition('Finalizing', { type: 'SessionRead', sessionState: 'Completed', chargeState: 'Authorized' })).toEqual({ next: 'Completed' });
    expect(transition('Finalizing', { type: 'SessionRead', sessionState: 'Canceled', reasonCode: 'BuyerCanceled' })).toEqual({
      next: 'BuyerCanceled',
      reasonCode: 'BuyerCanceled',
    });
    expect(transition('Finalizing', { type: 'SessionRead', sessionState: 'Open' })).toEqual({ next: 'Finalizing' });
  });

  it('decides the deadline from Amazon’s state: completed elsewhere, canceled, or expired', () => {
    expect(transition('AwaitingReturn', { type: 'SessionRead', sessionState: 'Open' })).toEqual({ next: 'Expired', reasonCode: 'Expired' });
    expect(transition('AwaitingReturn', { type: 'SessionRead', sessionState: 'Completed' })).toEqual({ next: 'Completed' });
    expect(stateForCanceledSession('Declined')).toEqual({ next: 'Declined', reasonCode: 'Declined' });
    expect(stateForCanceledSession('Expired')).toEqual({ next: 'Expired', reasonCode: 'Expired' });
    expect(stateForCanceledSession(null)).toEqual({ next: 'Declined', reasonCode: 'AmazonCanceled' });
  });

  it('accepts a cancel only before the return, and nothing after a final state', () => {
    expect(transition('AwaitingReturn', { type: 'BuyerCanceled' })).toEqual({ next: 'BuyerCanceled', reasonCode: 'BuyerCanceled' });
    expect(transition('Finalizing', { type: 'BuyerCanceled' })).toHaveProperty('rejected');
    expect(transition('Completed', { type: 'BuyerReturned' })).toEqual({ rejected: 'session is already Completed' });
    expect(transition('Finalizing', { type: 'BuyerReturned' })).toHaveProperty('rejected');
    expect(transition('AwaitingReturn', { type: 'Confirmed', pending: false })).toHaveProperty('rejected');
  });

  it('grows the poll interval up to its cap', () => {
    const seen: number[] = [];
    let i: number | undefined;
    for (let k = 0; k < 8; k++) seen.push((i = nextPollInterval(i, 60_000, 3_600_000)));
    expect(seen).toEqual([60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000]);
  });

  it('names what each state waits on', () => {
    expect(waitingOn('AwaitingReturn')).toMatch(/return/);
    expect(waitingOn('Completed')).toMatch(/closed/);
  });
});
