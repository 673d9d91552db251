"""The importable inferstack library: spec, catalog, planning and the Pulumi components."""
