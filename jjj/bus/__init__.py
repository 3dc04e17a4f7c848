"""Kafka, the message bus: topic layout (`topics`), idempotent topic management (`admin`), clients (`clients`).

kafka-python is imported only inside this package; its exceptions are wrapped in `jjj.errors.BusError`.
"""

import warnings

# kafka-python 3.0.x warns on import under Python 3.11 (a deprecated stdlib call); harmless, and tests run with
# warnings as errors.
warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"kafka\..*")
