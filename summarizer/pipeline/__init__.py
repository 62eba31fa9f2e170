"""How a summary is made: the drafts the model fills, the strategies that ask for them, and the
assembly and guard steps that turn drafts into a grounded `Summary`."""
