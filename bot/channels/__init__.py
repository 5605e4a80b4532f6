"""The messenger channels: the contract (base.py), the list `civicbot run` builds from
(registry.py), and one entry module per channel (telegram.py, zalo_bot.py, zalo_oa.py; console.py
for the terminal) with its implementation beside it. docs/WRITING_A_CHANNEL.md explains adding one."""
