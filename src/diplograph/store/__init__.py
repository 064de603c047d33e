"""The compiled store: its cache, its compiler, its folder and its VoID counts."""
