"""The indicators app's pages: the plan and fiche pages (`pages`), the pilot's workspace and entry
(`entry`), SCP's campaigns (`campaigns`) and the download of the yearly values (`exports`)."""
