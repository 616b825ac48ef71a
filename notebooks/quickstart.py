# The marimo twin of quickstart.ipynb: `marimo edit notebooks/quickstart.py` (or `marimo run`).
# docs/hosts.md says what works in marimo and how it was tested.

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _():
    import marimo as mo

    mo.md(
        """
        # vace-studio quickstart (marimo)

        With no API key set, tasks go to the built-in **simulator**: nothing leaves this
        machine and nothing is paid. To use a real provider, set `DASHSCOPE_API_KEY` (or
        `MODELLIX_API_KEY`, `MULEROUTER_API_KEY`) before starting marimo, or paste a key into
        the studio's *API key* field.
        """
    )
    return (mo,)


@app.cell
def _():
    from vace_studio import Studio

    studio = Studio()
    studio
    return (studio,)


@app.cell
def _(mo, studio):
    # marimo runs a cell again only when what it reads changes; `studio.results` fills in
    # as tasks finish, so run this cell again (or press the button) to see them.
    refresh = mo.ui.refresh(label="Show results")
    refresh
    return (refresh,)


@app.cell
def _(refresh, studio):
    refresh
    studio.results
    return


if __name__ == "__main__":
    app.run()
