"""京津冀民政协同平台: shared runtime of the hub and the regional adapters.

`jjj.config` reads the `JJJ_*` environment, `jjj.bus` talks to Kafka, `jjj.cli` is the one command line.
"""

__version__ = "0.1.0"
