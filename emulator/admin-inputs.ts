import { z } from 'zod';
import { ApiError } from './errors';
import {
  ADDRESS_FIELDS,
  AddressSchema,
  BuyerSchema,
  ChargePermissionTypeSchema,
  MoneySchema,
  PaymentIntentSchema,
  ProductTypeSchema,
  type Address,
} from './model';

export const AdminCreateSessionSchema = z
  .object({
    chargeAmount: MoneySchema.optional(),
    totalOrderAmount: MoneySchema.optional(),
    paymentIntent: PaymentIntentSchema.optional(),
    canHandlePendingAuthorization: z.boolean().optional(),
    chargePermissionType: ChargePermissionTypeSchema.optional(),
    productType: ProductTypeSchema.optional(),
    buyer: BuyerSchema.optional(),
    shippingAddress: AddressSchema.nullable().optional(),
    billingAddress: AddressSchema.optional(),
    paymentDescriptor: z.string().optional(),
    checkoutResultReturnUrl: z.string().optional(),
    checkoutCancelUrl: z.string().optional(),
    checkoutReviewReturnUrl: z.string().optional(),
    merchantReferenceId: z.string().optional(),
    merchantStoreName: z.string().optional(),
    supplementaryData: z.string().optional(),
    softDescriptor: z.string().optional(),
    storeId: z.string().optional(),
    publicKeyId: z.string().optional(),
  })
  .refine((v) => v.chargeAmount !== undefined || v.chargePermissionType === 'PaymentMethodOnFile', {
    message: 'chargeAmount is required unless chargePermissionType is PaymentMethodOnFile',
    path: ['chargeAmount'],
  });
export type AdminCreateSessionInput = z.input<typeof AdminCreateSessionSchema>;

export const BuyerActionSchema = z.object({
  action: z.enum(['approve', 'approve-pending', 'decline', 'cancel']),
  settleAfterMs: z.number().int().nonnegative().optional(),
  settleTo: z.enum(['Authorized', 'Declined']).optional(),
});
export type BuyerActionInput = z.input<typeof BuyerActionSchema>;

export const SettleChargeSchema = z.object({
  to: z.enum(['Authorized', 'Declined', 'Captured', 'Canceled']),
  reasonCode: z.string().optional(),
  reasonDescription: z.string().optional(),
});
export type SettleChargeInput = z.input<typeof SettleChargeSchema>;

export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw new ApiError(400, 'InvalidRequest', z.prettifyError(r.error));
  return r.data;
}

export function toAddress(a: z.output<typeof AddressSchema>): Address {
  const out = {} as Address;
  for (const f of ADDRESS_FIELDS) out[f] = a[f] ?? null;
  return out;
}
