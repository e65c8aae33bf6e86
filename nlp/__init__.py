"""Pure analysis of one message: indicators, the institution it claims to be, and the cues."""
from nlp.analyse import Analyser, AnalysisError
from nlp.registry_index import RegistryIndex

__all__ = ["Analyser", "AnalysisError", "RegistryIndex"]
