"""The Streamlit app and the figures it shares with the HTML report (the faces layer)."""
