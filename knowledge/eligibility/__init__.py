"""Eligibility checks: rule files as data (knowledge/rules/*.yaml), a pure engine, typed answers.

Public surface::

    from knowledge.eligibility.registry import RuleRegistry
    reg = RuleRegistry.load_default(extra_dir=data_dir / "rules")
    rs, decision, ignored = reg.check("vn-poverty", {"area": "rural", ...}, on=date(2026, 5, 1))
    decision.outcome, decision.missing, decision.reasons, decision.benefits
"""
