"""Data the portal is loaded with for a demonstration or a load test: the demo académie
(``demo``, ``demo_data``) and the large data set (``large``). Not domain rules: they go
through the services to create what a user could."""
