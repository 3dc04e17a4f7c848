"""`jjj demo`: the whole platform on one machine, playing a Haihe-basin flood and three months of eldercare claims.

Modules: ``timeline`` (virtual clock, steps), ``people`` (synthetic persons), ``disasters``, ``relief``, ``cases``
(verification and 救急难 referral), ``eldercare``, ``faults`` (deliberately bad messages), ``scenario`` (the
whole script, in virtual-time order), ``expected`` (the end state, computed from the scenario's own tables),
``delivery`` (how a step reaches an adapter), ``ledger`` (played steps), ``supervisor`` (child processes),
``orchestrate`` (what `jjj demo` does).
"""
