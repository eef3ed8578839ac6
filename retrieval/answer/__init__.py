"""Answering: extractive and generative answerers, citations, support checks, timelines."""
