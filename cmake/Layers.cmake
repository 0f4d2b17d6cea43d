# The layers of userspace/ (and include/bpfproc/), lowest first. A layer may include only
# itself and the layers before it. bench and measure are consumers of the core: they may include
# any layer except app, and nothing includes them. docs/architecture.md draws the same picture.
set(BPFPROC_LAYERS util procfs kernel accounting grouping snapshot collectors exposition web push app)
set(BPFPROC_CONSUMERS bench measure)
