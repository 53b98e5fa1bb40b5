"""Trace text is hostile: redacting secrets, neutralizing terminal controls and instructions, scanning skills."""
