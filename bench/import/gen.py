#!/usr/bin/env python3
"""A realistic lead export for bench/import: N rows (default 1,000,000) of
Spanish names with accents, phones in every Argentine form, e-mails,
budgets written the ways people write them, 5% dirty rows (no identity,
bad e-mails, ragged), 10% duplicates of earlier rows in other spellings.
Writes UTF-8 CSV to standard output. Deterministic (fixed seed)."""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
rnd = random.Random(42)
first = ["María José", "Joaquín", "Sofía", "Agustín", "Lucía", "Martín", "Carla",
         "Ñandú", "Begoña", "Iñaki", "Julián", "Valentina"]
last = ["Núñez", "Ibáñez", "D'Angelo", "Muñoz", "Peña", "Gómez", "Díaz", "Fernández",
        "Pérez", "Alcántara"]
zonas = ["Palermo", "Belgrano", "Caballito, Almagro", "Nueva Córdoba", "Recoleta",
         "Villa Crespo", "Mar del Plata", "Pocitos"]
budgets = ["USD 150.000", "150k", "$ 1.200.000", "150000,50", "hasta 200 mil dólares",
           "100-150k", "U$S 95.500", ""]
w = sys.stdout.write
w("Nombre y Apellido,Teléfono,Email,Zona,Presupuesto,Etiquetas,Notas\n")


def phone(i, form):
    sub = 20000000 + i
    a, b = str(sub)[:4], str(sub)[4:]
    return [f"011 15 {a}-{b}", f"+54 9 11 {a}-{b}", f"+54911{sub}", f"(011) 15-{a}-{b}"][form]


rows = []
for i in range(n):
    r = rnd.random()
    if r < 0.05:  # dirty
        kind = i % 3
        if kind == 0:
            w(f"Sin Identidad {i},,,Palermo,,,\n")
        elif kind == 1:
            w(f"Mail Malo {i},,mal@@correo,{zonas[i % 8]},,,\n")
        else:
            w(f"Corta {i},+54 9 11 5555-{i % 10000:04d}\n")
        continue
    if r < 0.15 and i > 10:  # a duplicate of an earlier row, spelled otherwise
        j = rnd.randrange(0, i)
        w(f"{first[j % 12]} {last[j % 10]},{phone(j, (j + 1) % 4)},,,,dup,\n")
        continue
    name = f"{first[i % 12]} {last[(i // 12) % 10]}"
    email = f"lead{i}@correo.com.ar" if i % 3 else ""
    z = zonas[i % 8]
    w(f"{name},{phone(i, i % 4)},{email},\"{z}\",\"{budgets[i % 8]}\",meta|{z.split(',')[0]},"
      f"\"nota {i}\"\n")
