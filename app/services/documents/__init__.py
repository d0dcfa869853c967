"""PDF documents rendered once and stored (the recap of a claim, the convocation)."""
