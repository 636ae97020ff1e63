# The commands README's Quick start names.
.PHONY: test example provision

# Provision the machine (Docker engine, DynamoDB Local image) and run every test.
test:
	scripts/test

# Run the flagship example end to end on an automatically started DynamoDB Local.
example:
	scripts/example mobileapp

provision:
	scripts/provision
