// Every export here is a workflow type (the bundler registers them all).
export { checkoutSession } from './checkout-session/workflow';
