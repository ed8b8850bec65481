"""Acknowledgments of our 837P batches: the 999 and the 277CA, and sending a rejected claim again."""
