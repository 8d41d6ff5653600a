"""Everything that runs inside the Rasa server: the NLU component, the channels, the event broker
and the patches, started by `python -m rasa_plugins run` (rasa_plugins/launch.py)."""
