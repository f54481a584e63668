// Custom search attributes operators filter on in the Temporal UI (DESIGN.md, "Visibility"). All Keyword.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CheckoutSessionIdKey = defineSearchAttributeKey('CheckoutSessionId', SearchAttributeType.KEYWORD);
export const CheckoutStateKey = defineSearchAttributeKey('CheckoutState', SearchAttributeType.KEYWORD);
export const MerchantReferenceKey = defineSearchAttributeKey('MerchantReference', SearchAttributeType.KEYWORD);

export const checkoutSearchAttributes = [CheckoutSessionIdKey, CheckoutStateKey, MerchantReferenceKey] as const;
