"""Study results as collect() gives them, made up for the tests of the claims and of their sentences."""


def fake_results(values: dict | None = None, machine: tuple = (2, 0)) -> list[dict]:
    """Study results as collect() gives them, for levels {(factor, label): [best validation loss per seed]}."""
    values = values or {("hidden units", "100"): [1.50, 1.52, 1.51], ("hidden units", "150"): [1.40, 1.41, 1.42]}
    return [
        {
            "factor": f,
            "label": level,
            "seed": s,
            "run": f"r{level}{s}",
            "converged": False,
            "parameters": 1000 + len(level),
            "best_val_loss": v,
            "final_train_loss": v + 0.1,
            "final_val_loss": v,
            "best_epoch": 10 + s,
            "epochs_completed": 20,
            "stopped": "completed",
            "test_loss": v,
            "nats_per_tune": 200 * v,
            "tunes_compared": 40,
            "wall_seconds": 60.0,
            "budget_best_val_loss": v,
            "budget_best_epoch": 10 + s,
            "budget_epochs": 20,
            "machine_cpu_count": machine[0],
            "machine_gpus": machine[1],
        }
        for (f, level), vs in values.items()
        for s, v in enumerate(vs, start=1)
    ]


def cell_results(fixed: dict, converged: dict) -> list[dict]:
    """Two seeds per cell type trained to convergence: {label: (loss at 20 epochs, best loss, best epoch, epochs)}."""
    return [
        {
            "factor": "cell, equal size",
            "label": label,
            "seed": seed,
            "run": f"{label}{seed}",
            "converged": True,
            "budget_best_val_loss": fixed[label] + noise,
            "budget_best_epoch": 20,
            "budget_epochs": 20,
            "best_val_loss": converged[label][0] + noise,
            "best_epoch": converged[label][1],
            "epochs_completed": converged[label][2],
            "stopped": "early" if converged[label][2] < 40 else "completed",
        }
        for label in fixed
        for seed, noise in ((1, 0.0), (2, 0.01), (3, 0.005))
    ]
