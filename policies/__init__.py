"""The inferstack policy pack (CrossGuard rules); see the policy-pack issue."""
