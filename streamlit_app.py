"""Force Posture Map: the Streamlit entry point. `make run` starts it on the seeded store.

Thin on purpose: it sets the page up and routes between the two pages; what they show is
arranged in `geo.app.pages` and decided in the other `geo` modules. Usage statistics are off and
static serving on in `.streamlit/config.toml` (written by `make assets`): the app needs no internet.
"""

from __future__ import annotations

import streamlit as st

from geo.app import add_article_page, map_page, page_icon
from geo.render import use_local_assets

use_local_assets("streamlit")  # Leaflet, jQuery and milsymbol from /app/static, never from a CDN
st.set_page_config(page_title="Force Posture Map", page_icon=page_icon(), layout="wide",
                   initial_sidebar_state="collapsed" if st.query_params.get("present") == "1" else "expanded")
page = st.navigation([
    st.Page(map_page, title="Map", icon=":material/map:", url_path="map", default=True),
    st.Page(add_article_page, title="Add article", icon=":material/post_add:", url_path="add-article"),
])
page.run()
