"""The offline engine: the real program under strict recording mocks, yielding a Plan (no cloud, no Pulumi CLI).

Nothing is imported here: `inferstack validate` and friends must not pay for the Pulumi SDK.
"""
