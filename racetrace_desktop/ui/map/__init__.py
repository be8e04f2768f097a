"""Offline Leaflet map (folium page in QtWebEngine) with a shared cursor and cached OpenStreetMap tiles."""
