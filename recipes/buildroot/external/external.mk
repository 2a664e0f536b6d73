# No packages of jhbuild's own (see Config.in).
