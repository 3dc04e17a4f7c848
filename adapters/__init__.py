"""Regional adapters: `core` does the common work (outbox, publisher, inbox, intake HTTP); `beijing`, `tianjin` and
`hebei` hold only what differs per region (native formats, field names, code mappings, units, configuration)."""
